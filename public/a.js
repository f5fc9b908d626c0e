// starspmb first-party analytics (src/analytics/): page views, outbound clicks, form start and
// submit (never field values), data-event clicks and window.starspmb.track(name, props).
(function (w, d) {
  var l = w.location,
    // Paths whose rest is a secret (src/privacy/secret-paths.ts), filled in when /a.js is served.
    secret = [];
  if (/^\/(console|api)(\/|$)/.test(l.pathname)) return;
  var last;
  // Only what is kept leaves the browser: campaign tags of the query, the referrer's origin.
  function href() {
    var q = l.search
      .slice(1)
      .split('&')
      .filter(function (p) {
        return /^(utm_[a-z]+|gclid|msclkid)=/.test(p);
      })
      .join('&');
    return l.origin + l.pathname + (q ? '?' + q : '');
  }
  function send(type, name, props) {
    // Nothing at all from a secret link's page, whichever way the browser got there.
    for (var i = 0; i < secret.length; i++) if (l.pathname.indexOf(secret[i]) === 0) return;
    var b = { type: type, url: href(), screen: w.innerWidth },
      r = /^https?:\/\/[^/?#]+/.exec(d.referrer);
    if (r) b.referrer = r[0] + '/';
    if (name) b.name = String(name).slice(0, 64);
    if (props) b.props = props;
    var s = JSON.stringify(b);
    try {
      if (navigator.sendBeacon && navigator.sendBeacon('/api/event', s)) return;
    } catch (e) {}
    fetch('/api/event', {
      method: 'POST',
      body: s,
      keepalive: true,
      headers: { 'content-type': 'text/plain' },
    }).catch(function () {});
  }
  function page() {
    if (last === l.pathname) return;
    last = l.pathname;
    send('pageview');
  }
  function clean(p) {
    var o = {},
      n = 0;
    for (var k in p) if (n < 10 && /^(string|number)$/.test(typeof p[k])) ((o[k] = p[k]), n++);
    return o;
  }
  var h = w.history,
    push = h.pushState;
  h.pushState = function () {
    push.apply(h, arguments);
    page();
  };
  w.addEventListener('popstate', page);
  d.addEventListener(
    'click',
    function (e) {
      var t = e.target.closest && e.target.closest('a,[data-event]');
      if (!t) return;
      var ev = t.getAttribute('data-event');
      if (ev) send('event', ev);
      else if (t.host && t.host !== l.host) send('outbound', t.href);
    },
    true,
  );
  // Not the cookie choices (data-no-track): "Accept all" is no form start.
  function tracked(f) {
    return f && !f.hasAttribute('data-no-track');
  }
  var started = [];
  d.addEventListener('focusin', function (e) {
    var f = e.target.form;
    if (tracked(f) && started.indexOf(f) < 0) (started.push(f), send('form_start'));
  });
  d.addEventListener(
    'submit',
    function (e) {
      if (tracked(e.target)) send('form_submit');
    },
    true,
  );
  w.starspmb = {
    track: function (n, p) {
      send('event', n, p && clean(p));
    },
  };
  page();
})(window, document);
