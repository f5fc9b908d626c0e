// Progressive enhancement for the intake form; the form works fully without it (choosing a type
// then posts the choice and the server shows its questions). With it, choosing a type rewords
// the questions in place from the same table the server uses (src/intake/fields.ts).
(function () {
  var form = document.querySelector('form[action="/get-started"]');
  if (!form) return;
  var summary =
    document.getElementById('error-summary') || document.getElementById('health-warning');
  if (summary) summary.focus();

  var data = document.getElementById('intake-questions');
  var table = data ? JSON.parse(data.textContent || '{}') : null;
  var details = document.getElementById('intake-details');
  var show = document.getElementById('show-questions');

  function describe(input, name, hasHint) {
    var ids = (input.getAttribute('aria-describedby') || '').split(' ').filter(function (id) {
      return id && id !== name + '-hint';
    });
    if (hasHint) ids.unshift(name + '-hint');
    if (ids.length) input.setAttribute('aria-describedby', ids.join(' '));
    else input.removeAttribute('aria-describedby');
  }

  function apply(type) {
    if (!table || !table.fields[type]) return;
    var questions = table.fields[type];
    form.querySelectorAll('[data-question]').forEach(function (field) {
      var name = field.getAttribute('data-question');
      var q = questions[name];
      if (!q) return;
      var asked = q.need !== 'not_asked';
      var input = field.querySelector('input, select, textarea');
      field.hidden = !asked;
      if (input) {
        // A question not asked of this type is not sent either.
        input.disabled = !asked;
        input.required = q.need === 'required';
        describe(input, name, asked && Boolean(q.hint));
      }
      if (!asked) return;
      field.querySelector('[data-label]').textContent = q.label;
      field.querySelector('[data-optional]').hidden = q.need !== 'optional';
      var hint = field.querySelector('[data-hint]');
      hint.textContent = q.hint || '';
      hint.hidden = !q.hint;
    });
    form.querySelectorAll('[data-for]').forEach(function (el) {
      el.hidden = el.getAttribute('data-for') !== type;
    });
    var legend = document.getElementById('practice-legend');
    if (legend && table.legends[type]) legend.textContent = table.legends[type];
    if (details) details.hidden = false;
  }

  if (table) {
    if (show) show.hidden = true;
    form.querySelectorAll('input[name="userType"]').forEach(function (radio) {
      radio.addEventListener('change', function () {
        if (radio.checked) apply(radio.value);
      });
    });
  }

  // A second click while the first post is in flight would only be deduplicated by the server.
  form.addEventListener('submit', function (event) {
    if (event.submitter && event.submitter.name === 'show') return;
    var button = form.querySelector('[data-submit-once]');
    if (button) {
      setTimeout(function () {
        button.disabled = true;
      }, 0);
      button.textContent = 'Sending…';
    }
  });
})();
