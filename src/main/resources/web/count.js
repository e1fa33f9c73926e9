/* hitcounter count.js: <script async src="https://counter.example.com/count.js" data-site="blog"></script>
   data-site: the site (else the default site); data-hash: count hash routes (#/a as /a);
   data-allow-local: count localhost, file:, frames and automated browsers too;
   data-show="#id": write the page's total into that element.
   window.hitcounter.count(path) counts a path by hand. */
(function (w, d) {
  'use strict';
  var VERSION = '1.0.0';
  try {
    var me = d.currentScript, loc = w.location, nav = w.navigator;
    if (!me || (w.hitcounter && w.hitcounter.version)) return;
    var data = function (n) { return me.getAttribute('data-' + n); };
    var base = me.src.replace(/\/count\.js([?#].*)?$/, '');
    var site = data('site'), hashMode = data('hash') !== null, show = data('show');
    var local = data('allow-local') !== null;
    var last = null, referrer = d.referrer, origin = loc.protocol + '//' + loc.host;
    var skip = !local && (/^(localhost|127\.|\[::1\]|0\.0\.0\.0)/.test(loc.hostname) || loc.protocol === 'file:' ||
      w !== w.top || nav.webdriver);

    var url = function (path, extra) {
      return base + '/api/hits?' + (site ? 'site=' + encodeURIComponent(site) + '&' : '') +
        'path=' + encodeURIComponent(path) + (extra || '');
    };

    var current = function () {
      var link = d.querySelector('link[rel="canonical"][href]');
      if (link) {
        var a = d.createElement('a');
        a.href = link.href;
        if (a.host === loc.host) return a.pathname + a.search;
      }
      var p = loc.pathname + loc.search;
      if (hashMode && loc.hash.length > 1) p = loc.pathname.replace(/\/$/, '') + '/' + loc.hash.replace(/^#\/?/, '');
      return p;
    };

    var write = function (reply) {
      var el = show && d.querySelector(show);
      if (el && reply && typeof reply.total === 'number') el.textContent = reply.total;
    };

    var send = function (path) {
      var ref = referrer && referrer.indexOf(origin) !== 0 ? referrer : '';
      referrer = ''; // a page load's first count only: navigations inside the page would repeat it
      var body = JSON.stringify({ path: path, referrer: ref });
      if (show && w.fetch) {
        return fetch(url(path), { method: 'POST', body: body, keepalive: true, mode: 'cors',
          headers: { 'Content-Type': 'text/plain' } })
          .then(function (r) { return r.json(); }).then(write)['catch'](function () {});
      }
      try {
        if (nav.sendBeacon && nav.sendBeacon(url(path), new Blob([body], { type: 'text/plain' }))) return;
      } catch (e) { /* next */ }
      try {
        if (w.fetch) {
          return fetch(url(path), { method: 'POST', body: body, keepalive: true, mode: 'no-cors',
            headers: { 'Content-Type': 'text/plain' } })['catch'](function () { pixel(path, ref); });
        }
      } catch (e) { /* next */ }
      pixel(path, ref);
    };

    var pixel = function (path, ref) {
      var img = new Image(1, 1);
      img.src = base + '/px.gif?' + (site ? 'site=' + encodeURIComponent(site) + '&' : '') + 'path=' +
        encodeURIComponent(path) + (ref ? '&ref=' + encodeURIComponent(ref) : '') + '&t=' + Date.now();
    };

    var count = function (path, again) {
      try {
        path = path || current();
        if (skip || (path === last && !again)) return;
        last = path;
        send(path);
      } catch (e) { /* counting never breaks the page */ }
    };

    var whenVisible = function (f) {
      if (d.prerendering) return d.addEventListener('prerenderingchange', f, { once: true });
      if (d.visibilityState === 'hidden') {
        var on = function () {
          if (d.visibilityState === 'visible') { d.removeEventListener('visibilitychange', on); f(); }
        };
        return d.addEventListener('visibilitychange', on);
      }
      f();
    };

    var auto = function () { whenVisible(function () { count(); }); };
    var wrap = function (name) {
      var orig = w.history && w.history[name];
      if (!orig) return;
      w.history[name] = function () {
        var r = orig.apply(this, arguments);
        auto();
        return r;
      };
    };
    wrap('pushState');
    wrap('replaceState');
    w.addEventListener('popstate', auto);
    if (hashMode) w.addEventListener('hashchange', auto);
    w.addEventListener('pageshow', function (e) {
      if (e.persisted) whenVisible(function () { count(null, true); }); // back from the back/forward cache
    });

    w.hitcounter = { version: VERSION, count: function (path) { count(path, true); } };
    auto();
  } catch (e) { /* a blocked or broken counter leaves the page alone */ }
})(window, document);
