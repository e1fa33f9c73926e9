// Charts of hits over time with uPlot: hits, unique visitors (per day) and bots apart, from
// /api/series. hcChart(element, url, title, refreshMs) draws one and, with refreshMs, follows it
// live; window.hcCharts[name] exposes each chart's state (draws, data) for tests.
(function () {
  window.hcCharts = window.hcCharts || {};
  function label(step, t) {
    var d = new Date(t * 1000);
    return step === 'day' ? d.toISOString().slice(5, 10) : d.toISOString().slice(11, 16);
  }
  window.hcChart = function (el, name, url, title, refreshMs) {
    var state = { draws: 0, updates: 0, data: null, plot: null, error: null };
    window.hcCharts[name] = state;
    function columns(s) {
      var cols = [s.t, s.hits, s.bots];
      if (s.uniques) cols.push(s.uniques);
      return cols;
    }
    function build(s) {
      var series = [
        {},
        { label: 'hits', stroke: '#1e6bd6', fill: 'rgba(30,107,214,0.12)', width: 2 },
        { label: 'bots', stroke: '#b36b00', dash: [6, 4], width: 1.5 }
      ];
      if (s.uniques) series.push({ label: 'unique visitors', stroke: '#1b8a3a', width: 2 });
      var width = Math.max(320, el.clientWidth || 640);
      state.plot = new uPlot({
        title: title, width: width, height: 220, series: series,
        scales: { x: { time: true } },
        axes: [{ values: function (u, ticks) { return ticks.map(function (t) { return label(s.step, t); }); } }, {}],
        hooks: { draw: [function () { state.draws++; }] }
      }, columns(s), el);
    }
    function load() {
      fetch(url, { cache: 'no-store' }).then(function (r) { return r.json(); }).then(function (s) {
        state.data = s;
        state.error = null;
        if (!state.plot) build(s); else state.plot.setData(columns(s));
        state.updates++;
        el.setAttribute('data-total', s.hits.reduce(function (a, b) { return a + b; }, 0));
      }).catch(function (e) { state.error = String(e); });
    }
    load();
    if (refreshMs) setInterval(load, refreshMs);
    return state;
  };
})();
