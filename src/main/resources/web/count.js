/* hitcounter count.js: README "Count a website"; data-site, data-hash, data-show, data-allow-local */
(function (w, d) {
  'use strict';
  var VERSION = '1.1.0';
  try {
    var me = d.currentScript, loc = w.location, nav = w.navigator;
    if (!me || (w.hitcounter && w.hitcounter.version)) return;
    var attr = function (n) { return me.getAttribute('data-' + n); };
    var base = me.src.replace(/\/count\.js([?#].*)?$/, ''), site = attr('site'), show = attr('show');
    var hashMode = attr('hash') !== null, last = null, referrer = d.referrer, origin = loc.protocol + '//' + loc.host;
    var skip = attr('allow-local') === null && (/^(localhost|127\.|\[::1\]|0\.0\.0\.0)/.test(loc.hostname) ||
      loc.protocol === 'file:' || w !== w.top || nav.webdriver);
    var enc = encodeURIComponent, api = base + '/api/hits' + (site ? '?site=' + enc(site) : '');
    var px = function (path, ref) {
      new Image(1, 1).src = base + '/px.gif?' + (site ? 'site=' + enc(site) + '&' : '') + 'path=' + enc(path) +
        (ref ? '&ref=' + enc(ref) : '') + '&t=' + Date.now();
    };

    // a page load: the canonical link's path (same host), a navigation: the address
    var current = function (load) {
      var link = load && d.querySelector('link[rel="canonical"][href]');
      if (link) {
        var a = d.createElement('a');
        a.href = link.href;
        if (a.host === loc.host) return a.pathname + (a.search || loc.search);
      }
      if (hashMode && /^#\//.test(loc.hash)) {
        var route = loc.hash.slice(1);
        return loc.pathname.replace(/\/$/, '') + route + (route.indexOf('?') < 0 ? loc.search : '');
      }
      return loc.pathname + loc.search;
    };

    // one page to the server, about: no trailing slash, no tracking parameters
    var clean = function (path) {
      var q = path.indexOf('?'), p = q < 0 ? path : path.slice(0, q);
      var kept = q < 0 ? [] : path.slice(q + 1).split('&').filter(function (kv) {
        return kv && !/^(utm_|mc_|fbclid$|gclid$|msclkid$|ref$|_hs|_g[al]$)/i.test(kv);
      });
      return (p.length > 1 ? p.replace(/\/+$/, '') : p) + (kept.length ? '?' + kept.join('&') : '');
    };

    var send = function (path) {
      var ref = referrer && referrer.indexOf(origin) !== 0 ? referrer : '';
      referrer = ''; // a page load's first count only: navigations inside the page would repeat it
      var body = JSON.stringify({ path: path, referrer: ref }), opts = { method: 'POST', body: body, keepalive: true,
        mode: show ? 'cors' : 'no-cors', headers: { 'Content-Type': 'text/plain' } };
      if (show && w.fetch) {
        return fetch(api, opts).then(function (r) { return r.json(); }).then(function (a) {
          var el = d.querySelector(show);
          if (el && typeof a.total === 'number') el.textContent = a.total;
        })['catch'](function () {});
      }
      try {
        if (nav.sendBeacon && nav.sendBeacon(api, new Blob([body], { type: 'text/plain' }))) return;
        if (w.fetch) return fetch(api, opts)['catch'](function () { px(path, ref); });
      } catch (e) { /* the pixel */ }
      px(path, ref);
    };

    var count = function (path, again, load) {
      try {
        path = path || current(load);
        var key = clean(path);
        if (skip || (key === last && !again)) return;
        send(last === null ? path : key); // a campaign goes with the visit's first count only
        last = key;
      } catch (e) { /* counting never breaks the page */ }
    };

    var whenVisible = function (f) {
      if (d.prerendering) return d.addEventListener('prerenderingchange', f, { once: true });
      if (d.visibilityState !== 'hidden') return f();
      var on = function () {
        if (d.visibilityState === 'visible') { d.removeEventListener('visibilitychange', on); f(); }
      };
      d.addEventListener('visibilitychange', on);
    };

    var auto = function () { whenVisible(function () { count(); }); };
    ['pushState', 'replaceState'].forEach(function (name) {
      var orig = w.history && w.history[name];
      if (orig) {
        w.history[name] = function () {
          var before = loc.pathname, r = orig.apply(this, arguments);
          // replaceState that only rewrites the query (search as you type) is no new page
          if (name === 'pushState' || loc.pathname !== before) auto();
          return r;
        };
      }
    });
    w.addEventListener('popstate', auto);
    if (hashMode) w.addEventListener('hashchange', auto);
    w.addEventListener('pageshow', function (e) { // back from the back/forward cache
      if (e.persisted) whenVisible(function () { count(null, true, true); });
    });
    w.hitcounter = { version: VERSION, count: function (path) { count(path, true); } };
    whenVisible(function () { count(null, false, true); });
  } catch (e) { /* a blocked or broken counter leaves the page alone */ }
})(window, document);
