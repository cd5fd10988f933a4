/* OrderPulse live dashboard: renders the KPI views pushed over SSE (/api/stream), with a
 * fallback refresh from /api/kpis every 30 s, a "last updated" clock, and empty / disconnected
 * states. Chart.js is served locally from node_modules (/vendor/chart.umd.min.js). */
(function () {
  'use strict';

  var FALLBACK_MS = 30000;
  var BANNER_AFTER_MS = 2500;
  var RENDER_EVERY_MS = 400;
  var COLORS = { indigo: '#4f46e5', teal: '#0d9488', amber: '#d97706', rose: '#e11d48', blue: '#2563eb', pink: '#db2777', slate: '#94a3b8', green: '#059669', red: '#ef4444' };
  var METHOD_COLORS = { credit_card: COLORS.indigo, debit_card: COLORS.teal, paypal: COLORS.blue, crypto: COLORS.amber };
  var SEGMENT_COLORS = { premium: COLORS.indigo, regular: COLORS.teal, budget: COLORS.amber };
  var LABELS = { credit_card: 'Credit card', debit_card: 'Debit card', paypal: 'PayPal', crypto: 'Crypto', premium: 'Premium', regular: 'Regular', budget: 'Budget' };

  var money = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 });
  var moneyShort = new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', notation: 'compact', maximumFractionDigits: 1 });
  var count = new Intl.NumberFormat('en-US');
  var pct = new Intl.NumberFormat('en-US', { style: 'percent', minimumFractionDigits: 1, maximumFractionDigits: 1 });

  var $ = function (sel) { return document.querySelector(sel); };
  var label = function (k) { return LABELS[k] || k; };
  var state = { data: null, asOf: null, renders: 0, received: 0, lastEventAt: 0, pending: null, timer: null, disconnectedAt: 0, connection: 'connecting' };
  window.orderpulse = state;

  Chart.defaults.font.family = window.getComputedStyle(document.body).fontFamily;
  Chart.defaults.font.size = 12;
  Chart.defaults.color = '#6b7280';
  Chart.defaults.borderColor = '#eef0f4';
  Chart.defaults.animation.duration = 350;
  Chart.defaults.plugins.legend.labels.boxWidth = 10;
  Chart.defaults.plugins.legend.labels.boxHeight = 10;
  Chart.defaults.plugins.tooltip.padding = 10;

  function chart(id, config) {
    config.options = Object.assign({ responsive: true, maintainAspectRatio: false }, config.options || {});
    return new Chart(document.getElementById(id), config);
  }

  var charts = {
    rpm: chart('chart-rpm', {
      type: 'bar',
      data: { labels: [], datasets: [
        { type: 'bar', label: 'Revenue', data: [], backgroundColor: 'rgba(79, 70, 229, .78)', borderRadius: 3, yAxisID: 'y', order: 2 },
        { type: 'line', label: 'Orders', data: [], borderColor: COLORS.amber, backgroundColor: COLORS.amber, pointRadius: 0, borderWidth: 2, tension: .3, yAxisID: 'y1', order: 1 },
      ] },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 12 } },
          y: { beginAtZero: true, title: { display: true, text: 'revenue' }, ticks: { callback: function (v) { return moneyShort.format(v); } } },
          y1: { beginAtZero: true, position: 'right', grid: { display: false }, title: { display: true, text: 'orders' }, ticks: { precision: 0 } },
        },
        plugins: { tooltip: { callbacks: { label: function (c) { return c.dataset.yAxisID === 'y' ? ' Revenue ' + money.format(c.parsed.y) : ' Orders ' + count.format(c.parsed.y); } } } },
      },
    }),
    products: chart('chart-products', {
      type: 'bar',
      data: { labels: [], datasets: [{ label: 'Quantity', data: [], backgroundColor: 'rgba(13, 148, 136, .8)', borderRadius: 4 }] },
      options: {
        indexAxis: 'y',
        plugins: { legend: { display: false }, tooltip: { callbacks: {
          title: function (items) { var p = state.data && state.data.top_products[items[0].dataIndex]; return p ? p.name + ' (' + p.product_id + ')' : ''; },
          label: function (c) { var p = state.data && state.data.top_products[c.dataIndex]; return p ? [' ' + count.format(p.quantity) + ' units', ' ' + money.format(p.revenue) + ' revenue', ' ' + p.category] : ''; },
        } } },
        scales: { x: { beginAtZero: true, ticks: { precision: 0 } }, y: { grid: { display: false }, ticks: { autoSkip: false } } },
      },
    }),
    states: chart('chart-states', {
      type: 'bar',
      data: { labels: [], datasets: [{ label: 'Orders', data: [], backgroundColor: 'rgba(37, 99, 235, .78)', borderRadius: 2 }] },
      options: {
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) { var s = state.data && state.data.orders_by_state[c.dataIndex]; return s ? [' ' + count.format(s.orders) + ' orders', ' ' + money.format(s.revenue) + ' revenue'] : ''; } } } },
        scales: { x: { grid: { display: false }, ticks: { autoSkip: false, maxRotation: 90, minRotation: 90, font: { size: 10 } } }, y: { beginAtZero: true, ticks: { precision: 0 } } },
      },
    }),
    payments: chart('chart-payments', {
      type: 'bar',
      data: { labels: [], datasets: [
        { label: 'Success', data: [], backgroundColor: 'rgba(5, 150, 105, .8)', borderRadius: 3 },
        { label: 'Failed', data: [], backgroundColor: 'rgba(239, 68, 68, .8)', borderRadius: 3 },
      ] },
      options: { indexAxis: 'y', scales: { x: { stacked: true, beginAtZero: true, ticks: { precision: 0 } }, y: { stacked: true, grid: { display: false } } }, plugins: { legend: { position: 'bottom' } } },
    }),
    segments: chart('chart-segments', {
      type: 'bar',
      data: { labels: [], datasets: [{ label: 'Revenue', data: [], backgroundColor: [], borderRadius: 4 }] },
      options: {
        indexAxis: 'y',
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) { return ' ' + money.format(c.parsed.x); } } } },
        scales: { x: { beginAtZero: true, ticks: { callback: function (v) { return moneyShort.format(v); } } }, y: { grid: { display: false } } },
      },
    }),
  };
  state.charts = charts;

  function setText(sel, text) { var el = $(sel); if (el && el.textContent !== text) el.textContent = text; }

  function setTile(field, text) {
    var el = document.querySelector('.t-value[data-field="' + field + '"]');
    if (!el || el.textContent === text) return;
    var changed = el.textContent !== '—';
    el.textContent = text;
    // Long exact amounts (e.g. $12,345,678.90) get a smaller font instead of being cut.
    el.classList.toggle('long', text.length > 10);
    el.classList.toggle('longer', text.length > 13);
    if (changed) {
      var tile = el.parentElement;
      tile.classList.add('bump');
      setTimeout(function () { tile.classList.remove('bump'); }, 50);
    }
  }

  function minuteLabel(iso) { return iso.slice(11, 16); }

  function rows(tbody, list) {
    var html = '';
    for (var i = 0; i < list.length; i++) {
      html += '<tr>' + list[i].map(function (cell, j) {
        return '<td>' + (j === 0 ? '<span class="swatch" style="background:' + cell[1] + '"></span>' + escapeHtml(cell[0]) : escapeHtml(cell)) + '</td>';
      }).join('') + '</tr>';
    }
    if (tbody.innerHTML !== html) tbody.innerHTML = html;
  }

  function escapeHtml(s) {
    return String(s).replace(/[&<>"']/g, function (ch) { return { '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' }[ch]; });
  }

  function shortName(s) { return s.length > 26 ? s.slice(0, 25) + '…' : s; }

  function render(d) {
    state.data = d;
    state.renders++;
    var s = d.summary;
    state.asOf = s.as_of ? new Date(s.as_of) : null;
    setTile('orders', count.format(s.orders));
    setTile('revenue', money.format(s.revenue));
    setTile('paid_orders', count.format(s.paid_orders));
    setText('.t-note[data-field="paid_share"]', s.orders ? pct.format(s.paid_orders / s.orders) + ' of orders' : '\u00a0');
    setTile('aov', money.format(s.aov));
    setTile('unique_customers', count.format(s.unique_customers));
    setTile('payment_success_rate', pct.format(s.payment_success_rate));
    setText('#version', d.version == null ? '' : 'views v' + d.version);

    var empty = s.orders === 0;
    $('#empty').hidden = !empty;
    $('#charts').hidden = empty;
    document.body.dataset.empty = String(empty);
    if (empty) { tickClock(); return; }

    var rpm = d.revenue_per_minute;
    charts.rpm.data.labels = rpm.map(function (m) { return minuteLabel(m.minute); });
    charts.rpm.data.datasets[0].data = rpm.map(function (m) { return m.revenue; });
    charts.rpm.data.datasets[1].data = rpm.map(function (m) { return m.orders; });

    charts.products.data.labels = d.top_products.map(function (p) { return shortName(p.name); });
    charts.products.data.datasets[0].data = d.top_products.map(function (p) { return p.quantity; });

    charts.states.data.labels = d.orders_by_state.map(function (r) { return r.state; });
    charts.states.data.datasets[0].data = d.orders_by_state.map(function (r) { return r.orders; });
    setText('#states-hint', d.orders_by_state.length + ' states · most orders first');

    charts.payments.data.labels = d.payments.map(function (p) { return label(p.method); });
    charts.payments.data.datasets[0].data = d.payments.map(function (p) { return p.success; });
    charts.payments.data.datasets[1].data = d.payments.map(function (p) { return p.failed; });
    rows($('#payments-table tbody'), d.payments.map(function (p) {
      return [[label(p.method), METHOD_COLORS[p.method] || COLORS.slate], count.format(p.attempts), pct.format(p.success_rate), p.avg_processing_ms.toFixed(0) + ' ms'];
    }));

    charts.segments.data.labels = d.segments.map(function (g) { return label(g.segment); });
    charts.segments.data.datasets[0].data = d.segments.map(function (g) { return g.revenue; });
    charts.segments.data.datasets[0].backgroundColor = d.segments.map(function (g) { return SEGMENT_COLORS[g.segment] || COLORS.slate; });
    rows($('#segments-table tbody'), d.segments.map(function (g) {
      return [[label(g.segment), SEGMENT_COLORS[g.segment] || COLORS.slate], count.format(g.orders), count.format(g.unique_customers), money.format(g.aov)];
    }));

    for (var k in charts) charts[k].update();
    tickClock();
  }

  // Render at most every RENDER_EVERY_MS: under load the stream may push many updates a second.
  function schedule(d) {
    state.received++;
    state.pending = d;
    if (state.timer) return;
    state.timer = setTimeout(function () {
      state.timer = null;
      var p = state.pending;
      state.pending = null;
      if (p) render(p);
    }, state.renders === 0 ? 0 : RENDER_EVERY_MS);
  }

  function ago(ms) {
    var s = Math.max(0, Math.round(ms / 1000));
    if (s < 60) return s + ' s ago';
    if (s < 3600) return Math.floor(s / 60) + ' min ago';
    return Math.floor(s / 3600) + ' h ago';
  }

  function tickClock() {
    var el = $('#last-updated');
    if (!state.asOf) { el.textContent = state.data ? 'Last updated — (no orders yet)' : 'Last updated —'; return; }
    el.textContent = 'Last updated ' + state.asOf.toISOString().slice(11, 19) + ' UTC · ' + ago(Date.now() - state.asOf.getTime());
    el.title = state.asOf.toISOString();
  }

  function setConnection(kind) {
    state.connection = kind;
    var pill = $('#status');
    pill.className = 'pill ' + kind;
    pill.dataset.state = kind;
    pill.querySelector('.label').textContent = { live: 'Live', connecting: 'Connecting…', reconnecting: 'Reconnecting…', offline: 'Offline' }[kind];
    if (kind === 'live') { state.disconnectedAt = 0; $('#banner').hidden = true; }
    else if (!state.disconnectedAt) state.disconnectedAt = Date.now();
  }

  function checkBanner() {
    if (state.connection === 'live' || !state.disconnectedAt) return;
    if (Date.now() - state.disconnectedAt < BANNER_AFTER_MS) return;
    var since = state.asOf ? ' Showing figures from ' + state.asOf.toISOString().slice(11, 19) + ' UTC.' : '';
    setText('#banner-text', 'Reconnecting… the figures below may be out of date.' + since);
    $('#banner').hidden = false;
  }

  var es = null;
  var retry = 1000;
  function connect() {
    setConnection(state.received ? 'reconnecting' : 'connecting');
    es = new EventSource('/api/stream');
    es.addEventListener('open', function () { retry = 1000; setConnection('live'); });
    es.addEventListener('kpis', function (e) {
      state.lastEventAt = Date.now();
      setConnection('live');
      try { schedule(JSON.parse(e.data)); } catch (err) { console.warn('bad kpis event', err); }
    });
    es.addEventListener('ping', function () { state.lastEventAt = Date.now(); });
    es.addEventListener('error', function () {
      if (es.readyState === EventSource.CLOSED) {
        // The browser gave up (e.g. the server answered an error): retry ourselves with backoff.
        setConnection('offline');
        es.close();
        setTimeout(connect, retry);
        retry = Math.min(retry * 2, 15000);
      } else {
        setConnection('reconnecting');
      }
    });
  }

  function poll() {
    fetch('/api/kpis', { cache: 'no-store' })
      .then(function (r) { if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); })
      .then(function (d) { if (!state.data || d.version !== state.data.version) schedule(d); })
      .catch(function () { if (state.connection !== 'live') setConnection('offline'); });
  }

  connect();
  poll();
  setInterval(poll, FALLBACK_MS);
  setInterval(function () { tickClock(); checkBanner(); }, 1000);
})();
