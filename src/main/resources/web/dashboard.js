// The dashboard: the top pages by total (100 at a time, with a search by id prefix and paging,
// from /api/pages: nothing ships every page to the browser), each datacenter's count, the
// topology, how old each datacenter's figures are, and every stall in red. Refreshed every second.
(function () {
  var sortKey = 'total', sortDesc = true, prefix = '', cursors = [null];
  function cell(tag, value, cls) { var c = document.createElement(tag); c.textContent = value; if (cls) c.className = cls; return c; }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }
  function renderAlert(data) {
    var box = document.getElementById('alert'); clear(box);
    var late = data.late || [];
    box.hidden = late.length === 0;
    if (late.length === 0) return;
    box.appendChild(cell('strong', 'Figures are late'));
    var ul = document.createElement('ul');
    late.forEach(function (l) {
      ul.appendChild(cell('li', l.datacenter + ' · ' + l.why + (l.subject ? ' (' + l.subject + ')' : '') + ' · ' + l.ageSeconds.toFixed(1) + ' s · ' + l.detail));
    });
    box.appendChild(ul);
  }
  function renderPages(data) {
    renderAlert(data);
    var dcs = data.datacenters;
    var head = document.getElementById('head'); clear(head);
    ['page'].concat(dcs).concat(['total']).forEach(function (k) {
      var th = cell('th', k + (k === sortKey ? (sortDesc ? ' ▼' : ' ▲') : ''), k === 'page' ? '' : 'n');
      th.onclick = function () { sortDesc = (sortKey === k) ? !sortDesc : true; sortKey = k; renderPages(data); };
      head.appendChild(th);
    });
    var rows = data.pages.slice();
    rows.sort(function (a, b) {
      var x = sortKey === 'page' ? a.page : (sortKey === 'total' ? a.total : (a.datacenters[sortKey] || 0));
      var y = sortKey === 'page' ? b.page : (sortKey === 'total' ? b.total : (b.datacenters[sortKey] || 0));
      var c = x < y ? -1 : x > y ? 1 : 0;
      return sortDesc ? -c : c;
    });
    var body = document.getElementById('rows'); clear(body);
    rows.forEach(function (p) {
      var tr = document.createElement('tr');
      var link = document.createElement('td'); var a = document.createElement('a');
      a.href = '/p/' + encodeURIComponent(p.page); a.textContent = p.page; link.appendChild(a); tr.appendChild(link);
      dcs.forEach(function (dc) { tr.appendChild(cell('td', p.datacenters[dc] || 0, 'n')); });
      tr.appendChild(cell('td', p.total, 'n'));
      body.appendChild(tr);
    });
    var from = (cursors.length - 1) * 100;
    document.getElementById('matching').textContent = data.matching + ' pages' + (prefix ? ' starting with "' + prefix + '"' : '') +
        (data.pages.length ? ', showing ' + (from + 1) + '–' + (from + data.pages.length) : '');
    document.getElementById('more').disabled = !data.next;
    document.getElementById('more').onclick = function () { if (data.next) { cursors.push(data.next); tick(); } };
    var dcBody = document.getElementById('dcs'); clear(dcBody);
    var lateDcs = {};
    (data.late || []).forEach(function (l) { lateDcs[l.datacenter] = true; });
    Object.keys(data.ages).sort().forEach(function (dc) {
      var tr = document.createElement('tr');
      var bad = data.ages[dc] > data.staleAfterSeconds || lateDcs[dc];
      tr.appendChild(cell('td', dc));
      tr.appendChild(cell('td', data.ages[dc].toFixed(1), 'n'));
      tr.appendChild(cell('td', bad ? 'stale' : 'fresh', bad ? 'bad' : ''));
      dcBody.appendChild(tr);
    });
    document.getElementById('updated').textContent = 'updated ' + new Date().toLocaleTimeString();
  }
  function renderTopology(t) {
    document.getElementById('nodes').textContent = (t.nodes || []).join(', ');
    var body = document.getElementById('queues'); clear(body);
    Object.keys(t.queues || {}).sort().forEach(function (q) {
      var v = t.queues[q], tr = document.createElement('tr');
      tr.appendChild(cell('td', q)); tr.appendChild(cell('td', v.address));
      tr.appendChild(cell('td', (v.drainedBy || []).join(', ')));
      tr.appendChild(cell('td', v.ready === undefined ? '?' : v.ready, 'n'));
      tr.appendChild(cell('td', v.reserved === undefined ? '?' : v.reserved, 'n'));
      tr.appendChild(cell('td', v.buried === undefined ? '?' : v.buried, 'n'));
      body.appendChild(tr);
    });
  }
  function renderSites(d) {
    var body = document.getElementById('siterows');
    clear(body);
    Object.keys(d.sites || {}).sort().forEach(function (name) {
      var s = d.sites[name], tr = document.createElement('tr');
      tr.appendChild(cell('td', name));
      tr.appendChild(cell('td', s.deleted ? 'deleted' : (s.live ? 'live' : 'disabled')));
      tr.appendChild(cell('td', s.deleted ? '' : s.pages, 'n'));
      tr.appendChild(cell('td', s.deleted ? '' : (s.maxPages > 0 ? s.maxPages : 'none'), 'n'));
      var use = (!s.deleted && s.maxPages > 0) ? Math.round(100 * s.pages / s.maxPages) : null;
      var bar = cell('td', use === null ? '' : use + '%');
      if (use !== null && use >= 90) bar.className = 'bad';
      tr.appendChild(bar);
      tr.appendChild(cell('td', s.deleted ? '' : ((s.origins || []).join(' ') || 'any')));
      tr.appendChild(cell('td', s.deleted ? '' : (s.perClient.rate > 0 ? s.perClient.rate : 'no limit'), 'n'));
      tr.appendChild(cell('td', s.deleted ? '' : (s.perSite.rate > 0 ? s.perSite.rate : 'no limit'), 'n'));
      body.appendChild(tr);
    });
  }
  function renderReferrers(d) {
    var box = document.getElementById('referrers');
    clear(box);
    Object.keys(d.top || {}).forEach(function (dim) {
      var t = document.createElement('table');
      var h = document.createElement('tr');
      h.appendChild(cell('th', dim));
      h.appendChild(cell('th', 'visits', 'n'));
      t.appendChild(h);
      d.top[dim].forEach(function (r) {
        var tr = document.createElement('tr');
        tr.appendChild(cell('td', r.value));
        tr.appendChild(cell('td', r.visits, 'n'));
        t.appendChild(tr);
      });
      if (d.other[dim]) {
        var o = document.createElement('tr');
        o.appendChild(cell('td', 'other', 'muted'));
        o.appendChild(cell('td', d.other[dim], 'n'));
        t.appendChild(o);
      }
      box.appendChild(t);
    });
  }
  function referrerSites(d) {
    var sel = document.getElementById('refsite');
    var names = Object.keys(d.sites || {}).filter(function (n) { return !d.sites[n].deleted; }).sort();
    if (sel.options.length !== names.length) {
      var had = sel.value;
      clear(sel);
      names.forEach(function (n) { var o = document.createElement('option'); o.value = n; o.textContent = n; sel.appendChild(o); });
      if (names.indexOf(had) >= 0) sel.value = had;
    }
  }
  function tick() {
    var q = '/api/pages?limit=100' + (prefix ? '&prefix=' + encodeURIComponent(prefix) : '');
    var c = cursors[cursors.length - 1];
    if (c) q += '&cursor=' + encodeURIComponent(c);
    fetch(q).then(function (r) { return r.json(); }).then(function (d) { if (d.pages) renderPages(d); }).catch(function () {});
    fetch('/api/sites').then(function (r) { return r.json(); }).then(function (d) { renderSites(d); referrerSites(d); }).catch(function () {});
    fetch('/api/referrers?days=7&site=' + encodeURIComponent(document.getElementById('refsite').value || 'default'))
      .then(function (r) { return r.json(); }).then(renderReferrers).catch(function () {});
    fetch('/api/topology').then(function (r) { return r.json(); }).then(renderTopology).catch(function () {});
  }
  document.getElementById('search').oninput = function (e) {
    prefix = e.target.value.replace(/[^A-Za-z0-9._~-]/g, '');
    cursors = [null];
    tick();
  };
  document.getElementById('first').onclick = function () { cursors = [null]; tick(); };
  tick();
  setInterval(tick, 1000);
})();
