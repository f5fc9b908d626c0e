// Enhances the cookie notice: "Choose" opens the switches in a modal dialog (focus stays inside
// it only while it is open; Escape or Close returns focus to "Choose"), and a browser's
// navigator.globalPrivacyControl is sent with the choice. Without this script every control is a
// plain form or link that works the same way.
(function () {
  'use strict';
  var gpc = navigator.globalPrivacyControl === true;
  document.querySelectorAll('[data-gpc-field]').forEach(function (f) {
    if (gpc) f.value = '1';
  });
  var dialog = document.getElementById('cookie-dialog');
  var choose = document.querySelector('[data-cookie-choose]');
  if (!dialog || !choose || typeof dialog.showModal !== 'function') return;
  choose.addEventListener('click', function (e) {
    e.preventDefault();
    dialog.showModal();
    var first = dialog.querySelector('input:not([type=hidden]):not([disabled]), button');
    if (first) first.focus();
  });
  dialog.querySelector('[data-cookie-close]').addEventListener('click', function () {
    dialog.close();
  });
  dialog.addEventListener('close', function () {
    choose.focus();
  });
})();
