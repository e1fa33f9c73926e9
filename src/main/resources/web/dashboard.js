// The dashboard: every page with per-datacenter counts (sortable), topology and replication lag,
// refreshed every second from /api/pages and /api/topology.
(function () {
  var sortKey = 'total', sortDesc = true;
  function cell(tag, value, cls) { var c = document.createElement(tag); c.textContent = value; if (cls) c.className = cls; return c; }
  function clear(el) { while (el.firstChild) el.removeChild(el.firstChild); }
  function renderPages(data) {
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
    var dcBody = document.getElementById('dcs'); clear(dcBody);
    Object.keys(data.ages).sort().forEach(function (dc) {
      var tr = document.createElement('tr');
      tr.appendChild(cell('td', dc));
      tr.appendChild(cell('td', data.ages[dc].toFixed(1), 'n'));
      tr.appendChild(cell('td', data.ages[dc] > data.staleAfterSeconds ? 'stale' : 'fresh', data.ages[dc] > data.staleAfterSeconds ? 'bad' : ''));
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
  function tick() {
    fetch('/api/pages').then(function (r) { return r.json(); }).then(renderPages).catch(function () {});
    fetch('/api/topology').then(function (r) { return r.json(); }).then(renderTopology).catch(function () {});
  }
  tick();
  setInterval(tick, 1000);
})();
