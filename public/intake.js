// Progressive enhancement for the intake form; the form works fully without it.
(function () {
  var form = document.querySelector('form[action="/get-started"]');
  if (!form) return;
  var summary =
    document.getElementById('error-summary') || document.getElementById('health-warning');
  if (summary) summary.focus();
  // A second click while the first post is in flight would only be deduplicated by the server.
  form.addEventListener('submit', function () {
    var button = form.querySelector('[data-submit-once]');
    if (button) {
      setTimeout(function () {
        button.disabled = true;
      }, 0);
      button.textContent = 'Sending…';
    }
  });
})();
