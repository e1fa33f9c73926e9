// Live numbers and colour of a page: server-sent events from /api/hits/{page}/events.
(function () {
  var page = document.body.getAttribute('data-page');
  function text(id, value) { document.getElementById(id).textContent = value; }
  function render(r) {
    text('total', r.total);
    var table = document.getElementById('dcs');
    while (table.firstChild) table.removeChild(table.firstChild);
    Object.keys(r.datacenters).sort().forEach(function (dc) {
      var tr = document.createElement('tr');
      var a = document.createElement('td'); a.textContent = dc;
      var b = document.createElement('td'); b.className = 'n'; b.textContent = r.datacenters[dc];
      tr.appendChild(a); tr.appendChild(b); table.appendChild(tr);
    });
    if (r.uniques) text('uniques', r.uniques.total + (r.uniques.united ? '' : ' (not united: may count a visitor twice)'));
    text('bots', r.bots);
    document.getElementById('stale').hidden = !r.stale;
    text('age', r.ageSeconds);
    if (r.colour) document.body.style.background = r.colour;
  }
  hcChart(document.getElementById('chart-minute'), 'minute', '/api/series?step=minute&points=60', 'the site, hits per minute (last hour)', 5000);
  hcChart(document.getElementById('chart-day'), 'day', '/api/series/' + encodeURIComponent(page) + '?step=day&days=30', 'this page, per day (30 days)', 10000);
  var events = new EventSource('/api/hits/' + encodeURIComponent(page) + '/events');
  events.onmessage = function (e) { render(JSON.parse(e.data)); };
})();
