/* OrderPulse live dashboard: renders the KPI views pushed over SSE (/api/stream), with a
 * fallback refresh from /api/kpis every 30 s, a "last updated" clock, and empty / disconnected
 * states; below them the History section and the Data quality panel (the batch layer's results:
 * `history` and `quality` events on the same stream, fallback /api/history and /api/quality),
 * and the alerts banner and panel (`alerts` event, fallback /api/alerts).
 * Chart.js is served locally from node_modules (/vendor/chart.umd.min.js). */
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
  var STALE_MS = 3 * 60 * 1000;
  var ENGINES = { duckdb: 'DuckDB', spark: 'Spark' };
  var state = { alerts: null, alertRenders: 0, history: null, quality: null, historyRenders: 0, qualityRenders: 0, data: null, asOf: null, renders: 0, received: 0, lastEventAt: 0, pending: null, timer: null, disconnectedAt: 0, connection: 'connecting' };
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
        return '<td>' + (j === 0 ? '<span class="swatch" data-bg="' + escapeHtml(cell[1]) + '"></span>' + escapeHtml(cell[0]) : escapeHtml(cell)) + '</td>';
      }).join('') + '</tr>';
    }
    setHtml(tbody, html);
  }

  // The Content-Security-Policy allows no inline style attributes: colours travel as data-bg and
  // are set through the CSSOM once the markup is in place.
  function setHtml(el, html) {
    if (el.opHtml === html) return;
    el.opHtml = html;
    el.innerHTML = html;
    var painted = el.querySelectorAll('[data-bg]');
    for (var i = 0; i < painted.length; i++) painted[i].style.background = painted[i].getAttribute('data-bg');
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

  // ---- History (batch layer) and data quality ------------------------------------------------

  var dayFmt = new Intl.DateTimeFormat('en-US', { month: 'short', day: 'numeric', timeZone: 'UTC' });
  function dayLabel(day) { var d = new Date(day + 'T00:00:00Z'); return isNaN(d.getTime()) ? day : dayFmt.format(d); }

  var hcharts = {
    daily: chart('chart-daily', {
      type: 'bar',
      data: { labels: [], datasets: [
        { type: 'bar', label: 'Revenue', data: [], backgroundColor: 'rgba(13, 148, 136, .78)', borderRadius: 3, maxBarThickness: 64, yAxisID: 'y', order: 2 },
        { type: 'line', label: 'Orders', data: [], borderColor: COLORS.indigo, backgroundColor: COLORS.indigo, pointRadius: 2, borderWidth: 2, tension: .25, yAxisID: 'y1', order: 1 },
      ] },
      options: {
        interaction: { mode: 'index', intersect: false },
        scales: {
          x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 16 } },
          y: { beginAtZero: true, title: { display: true, text: 'revenue' }, ticks: { callback: function (v) { return moneyShort.format(v); } } },
          y1: { beginAtZero: true, position: 'right', grid: { display: false }, title: { display: true, text: 'orders' }, ticks: { precision: 0 } },
        },
        plugins: { tooltip: { callbacks: {
          title: function (items) { var d = state.history && state.history.daily.days[items[0].dataIndex]; return d ? d.day + ' (UTC)' : ''; },
          label: function (c) { return c.dataset.yAxisID === 'y' ? ' Revenue ' + money.format(c.parsed.y) : ' Orders ' + count.format(c.parsed.y); },
          afterBody: function (items) { var d = state.history && state.history.daily.days[items[0].dataIndex]; return d ? [' Paid orders ' + count.format(d.paid_orders), ' Unique customers ' + count.format(d.unique_customers)] : []; },
        } } },
      },
    }),
    categories: chart('chart-categories', {
      type: 'bar',
      data: { labels: [], datasets: [{ label: 'Revenue', data: [], backgroundColor: 'rgba(79, 70, 229, .78)', borderRadius: 4 }] },
      options: {
        indexAxis: 'y',
        plugins: { legend: { display: false }, tooltip: { callbacks: { label: function (c) {
          var k = state.history && state.history.categories.categories[c.dataIndex];
          return k ? [' ' + money.format(k.revenue) + ' revenue', ' ' + count.format(k.orders) + ' orders', ' ' + count.format(k.quantity) + ' units'] : '';
        } } } },
        scales: { x: { beginAtZero: true, ticks: { callback: function (v) { return moneyShort.format(v); } } }, y: { grid: { display: false }, ticks: { autoSkip: false } } },
      },
    }),
    failures: chart('chart-failures', {
      type: 'line',
      data: { labels: [], datasets: [] },
      options: {
        interaction: { mode: 'index', intersect: false },
        spanGaps: true,
        scales: {
          x: { grid: { display: false }, ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 10 } },
          y: { beginAtZero: true, title: { display: true, text: 'failed / attempts' }, ticks: { callback: function (v) { return pct.format(v); } } },
        },
        plugins: { legend: { position: 'bottom' }, tooltip: { callbacks: { label: function (c) {
          var r = c.dataset.rows[c.dataIndex];
          return r ? ' ' + c.dataset.label + ' ' + pct.format(r.failed / r.attempts) + ' (' + count.format(r.failed) + ' of ' + count.format(r.attempts) + ')' : '';
        } } } },
      },
    }),
  };
  state.hcharts = hcharts;

  /** "DuckDB · as of 12:01:05 UTC, 40 s ago", marked stale when older than 3 minutes. */
  function paintAsOf(el, view) {
    if (!view || !view.as_of) { el.textContent = '—'; el.classList.remove('stale'); return; }
    var t = new Date(view.as_of);
    var age = Date.now() - t.getTime();
    var stale = age > STALE_MS;
    var text = (ENGINES[view.engine] || view.engine) + ' · as of ' + t.toISOString().slice(11, 19) + ' UTC, ' + ago(age) + (stale ? ' · stale' : '');
    if (el.textContent !== text) el.textContent = text;
    el.classList.toggle('stale', stale);
    el.dataset.stale = String(stale);
    el.title = stale ? 'Computed ' + view.as_of + ', more than 3 minutes ago: no newer result has been stored since (is the analytics function running?)' : view.as_of;
  }

  function tickAsOf() {
    var els = document.querySelectorAll('.asof[data-asof-of]');
    for (var i = 0; i < els.length; i++) {
      var of = els[i].dataset.asofOf;
      paintAsOf(els[i], of === 'quality' ? state.quality : state.history && state.history[of]);
    }
  }

  function setH(field, text) { var el = document.querySelector('.h-value[data-hfield="' + field + '"]'); if (el && el.textContent !== text) el.textContent = text; }

  function heatColor(f) { return 'rgba(79, 70, 229, ' + (0.06 + 0.84 * f).toFixed(3) + ')'; }

  function renderHeatmap(cells, categoryOrder) {
    var states = {};
    var cats = {};
    var max = 0;
    for (var i = 0; i < cells.length; i++) {
      var c = cells[i];
      var row = states[c.state] || (states[c.state] = { state: c.state, revenue: 0, orders: 0, by: {} });
      row.by[c.category] = c;
      row.revenue += c.revenue;
      row.orders += c.orders;
      cats[c.category] = true;
      if (c.revenue > max) max = c.revenue;
    }
    // Columns in category-performance order (revenue desc), then any other; rows by revenue desc.
    var columns = categoryOrder.filter(function (k) { return cats[k]; });
    Object.keys(cats).sort().forEach(function (k) { if (columns.indexOf(k) < 0) columns.push(k); });
    var rowsList = Object.keys(states).map(function (k) { return states[k]; }).sort(function (a, b) { return b.revenue - a.revenue || (a.state < b.state ? -1 : 1); });
    var head = '<tr><th scope="col">State</th>' + columns.map(function (k) { return '<th scope="col">' + escapeHtml(k) + '</th>'; }).join('') + '<th scope="col" class="total">Total</th></tr>';
    var body = '';
    for (var r = 0; r < rowsList.length; r++) {
      var s = rowsList[r];
      body += '<tr data-state="' + escapeHtml(s.state) + '"><th scope="row">' + escapeHtml(s.state) + '</th>';
      for (var j = 0; j < columns.length; j++) {
        var cell = s.by[columns[j]];
        var rev = cell ? cell.revenue : 0;
        var f = max > 0 ? rev / max : 0;
        var title = s.state + ' · ' + columns[j] + ': ' + money.format(rev) + ' revenue, ' + count.format(cell ? cell.orders : 0) + ' orders';
        body += '<td data-category="' + escapeHtml(columns[j]) + '" data-revenue="' + rev + '" data-orders="' + (cell ? cell.orders : 0) + '" title="' + escapeHtml(title) + '"' +
          (rev > 0 ? ' data-bg="' + escapeHtml(heatColor(f)) + '"' : '') + ' class="' + (rev > 0 ? (f > 0.55 ? 'dark' : '') : 'zero') + '">' +
          (rev > 0 ? moneyShort.format(rev) : (cell ? '$0' : '–')) + '</td>';
      }
      body += '<td class="total" title="' + escapeHtml(s.state + ': ' + money.format(s.revenue) + ' revenue, ' + count.format(s.orders) + ' orders') + '">' + moneyShort.format(s.revenue) + '</td></tr>';
    }
    var table = $('#heatmap');
    var thead = table.querySelector('thead');
    var tbody = table.querySelector('tbody');
    if (thead.innerHTML !== head) thead.innerHTML = head;
    setHtml(tbody, body);
    setText('#heatmap-hint', rowsList.length + ' states × ' + columns.length + ' categories · colour = revenue');
  }

  function renderHistory(h) {
    state.history = h;
    state.historyRenders++;
    var empty = !h;
    $('#history-empty').hidden = !empty;
    $('#history-body').hidden = empty;
    document.body.dataset.history = empty ? 'none' : 'shown';
    if (empty) { tickAsOf(); return; }

    var s = h.summary;
    setH('orders', count.format(s.orders));
    setH('revenue', money.format(s.revenue));
    setH('paid_orders', count.format(s.paid_orders));
    setH('aov', money.format(s.aov));
    setH('unique_customers', count.format(s.unique_customers));
    setH('payment_success_rate', pct.format(s.payment_success_rate));

    var days = h.daily.days;
    hcharts.daily.data.labels = days.map(function (d) { return dayLabel(d.day); });
    hcharts.daily.data.datasets[0].data = days.map(function (d) { return d.revenue; });
    hcharts.daily.data.datasets[1].data = days.map(function (d) { return d.orders; });
    setText('#daily-hint', days.length === 0 ? 'no days yet' : days.length === 1 ? '1 day, ' + days[0].day + ' · UTC' : days.length + ' days, ' + days[0].day + ' to ' + days[days.length - 1].day + ' · UTC');

    var cats = h.categories.categories;
    hcharts.categories.data.labels = cats.map(function (k) { return k.category; });
    hcharts.categories.data.datasets[0].data = cats.map(function (k) { return k.revenue; });
    rows($('#categories-table tbody'), cats.map(function (k) {
      return [[k.category, COLORS.indigo], count.format(k.orders), count.format(k.quantity), money.format(k.revenue)];
    }));

    var pd = h['payments-daily'].rows;
    var dayList = [];
    var methods = [];
    var byKey = {};
    for (var i = 0; i < pd.length; i++) {
      if (dayList.indexOf(pd[i].day) < 0) dayList.push(pd[i].day);
      if (methods.indexOf(pd[i].method) < 0) methods.push(pd[i].method);
      byKey[pd[i].method + '|' + pd[i].day] = pd[i];
    }
    dayList.sort();
    var order = Object.keys(METHOD_COLORS);
    methods.sort(function (a, b) { var ia = order.indexOf(a), ib = order.indexOf(b); return (ia < 0 ? 99 : ia) - (ib < 0 ? 99 : ib) || (a < b ? -1 : 1); });
    hcharts.failures.data.labels = dayList.map(dayLabel);
    hcharts.failures.data.datasets = methods.map(function (m) {
      var rowsOf = dayList.map(function (d) { return byKey[m + '|' + d] || null; });
      var color = METHOD_COLORS[m] || COLORS.slate;
      return { label: label(m), method: m, rows: rowsOf, data: rowsOf.map(function (r) { return r && r.attempts ? r.failed / r.attempts : null; }), borderColor: color, backgroundColor: color, pointRadius: dayList.length > 40 ? 0 : dayList.length < 3 ? 4 : 2, borderWidth: 2, tension: .2 };
    });

    renderHeatmap(h['state-category'].cells, cats.map(function (k) { return k.category; }));
    for (var k in hcharts) hcharts[k].update();
    tickAsOf();
  }

  function renderQuality(q) {
    state.quality = q;
    state.qualityRenders++;
    $('#quality-empty').hidden = !!q;
    $('#quality-body').hidden = !q;
    document.body.dataset.quality = q ? (q.mismatches === 0 ? 'ok' : 'mismatch') : 'none';
    if (!q) { tickAsOf(); return; }
    setText('#q-mismatches', count.format(q.mismatches));
    setText('#q-mismatches-word', q.mismatches === 1 ? 'mismatch' : 'mismatches');
    setText('#q-checked', count.format(q.checked_fields));
    $('#q-status').dataset.ok = String(q.mismatches === 0);
    setText('#q-hot', count.format(q.orders_hot));
    setText('#q-archived', count.format(q.orders_archived));
    setText('#q-dups', count.format(q.duplicates_archived));
    $('#q-dups').classList.toggle('bad', q.duplicates_archived > 0);
    var reasons = Object.keys(q.dlq_by_reason || {}).sort(function (a, b) { return q.dlq_by_reason[b] - q.dlq_by_reason[a] || (a < b ? -1 : 1); });
    var dlq = reasons.map(function (r) { return '<tr><td>' + escapeHtml(r) + '</td><td>' + count.format(q.dlq_by_reason[r]) + '</td></tr>'; }).join('') || '<tr><td colspan="2" class="none">none</td></tr>';
    var dlqBody = $('#q-dlq tbody');
    if (dlqBody.innerHTML !== dlq) dlqBody.innerHTML = dlq;
    var details = q.details || [];
    $('#q-details-wrap').hidden = q.mismatches === 0 && details.length === 0;
    var fmt = function (v) { return v === null || v === undefined ? '—' : typeof v === 'number' ? count.format(v) : String(v); };
    var det = details.map(function (d) { return '<tr><td>' + escapeHtml(d.field) + '</td><td>' + escapeHtml(fmt(d.live)) + '</td><td>' + escapeHtml(fmt(d.batch)) + '</td></tr>'; }).join('');
    var detBody = $('#q-details tbody');
    if (detBody.innerHTML !== det) detBody.innerHTML = det;
    tickAsOf();
  }

  // ---- Alerts (issue 11): banner + panel, from the `alerts` event (fallback /api/alerts) ----------

  var KIND_LABELS = { payment_failure: 'Payment failures', demand_surge: 'Demand surge', demand_drop: 'Demand drop' };
  var timeFmt = function (iso) { return iso ? iso.slice(5, 10) + ' ' + iso.slice(11, 19) : '—'; };
  function subjectText(subject) {
    return Object.keys(subject || {}).sort().map(function (k) { return k === 'payment_method' ? label(subject[k]) : k === 'scope' && subject[k] === 'all' ? 'all orders' : k + ' ' + subject[k]; }).join(', ') || '—';
  }
  function measure(a, v) {
    if (typeof v !== 'number') return '—';
    return a.kind === 'payment_failure' ? pct.format(v) + ' failed' : count.format(Math.round(v * 10) / 10) + ' orders/min';
  }
  function renderAlerts(a) {
    state.alerts = a;
    state.alertRenders++;
    var open = (a && a.open) || [];
    var recent = (a && a.recent) || [];
    document.body.dataset.alerts = String(open.length);
    var banner = $('#alert-banner');
    if (open.length === 0) {
      banner.hidden = true;
      banner.dataset.severity = 'none';
    } else {
      var critical = open.some(function (x) { return x.severity === 'critical'; });
      banner.dataset.severity = critical ? 'critical' : 'warning';
      setText('#alert-banner-title', open.length === 1 ? '1 open alert' : open.length + ' open alerts');
      setText('#alert-banner-text', open.slice(0, 3).map(function (x) {
        return (KIND_LABELS[x.kind] || x.kind) + ' · ' + subjectText(x.subject) + ' (' + measure(x, x.observed) + ', expected ' + measure(x, x.expected) + ')';
      }).join(' | ') + (open.length > 3 ? ' | …' : ''));
      banner.hidden = false;
    }
    setText('#alerts-count', open.length === 0 ? 'none open' : open.length + ' open');
    $('#alerts-empty').hidden = recent.length > 0;
    $('#alerts-table').hidden = recent.length === 0;
    var html = recent.map(function (x) {
      var st = x.resolved_at ? 'resolved' : 'open';
      return '<tr data-alert-id="' + escapeHtml(x.id) + '" data-state="' + st + '" data-severity="' + escapeHtml(x.severity) + '">' +
        '<td><span class="alert-state" data-state="' + st + '">' + (st === 'open' ? 'Open' : 'Resolved') + '</span></td>' +
        '<td><span class="sev" data-severity="' + escapeHtml(x.severity) + '">' + escapeHtml(x.severity) + '</span></td>' +
        '<td>' + escapeHtml(KIND_LABELS[x.kind] || x.kind) + '</td>' +
        '<td>' + escapeHtml(subjectText(x.subject)) + '</td>' +
        '<td>' + escapeHtml(timeFmt(x.started_at)) + '</td>' +
        '<td>' + escapeHtml(timeFmt(x.detected_at)) + '</td>' +
        '<td>' + escapeHtml(measure(x, x.observed)) + '</td>' +
        '<td>' + escapeHtml(measure(x, x.expected)) + '</td>' +
        '<td>' + escapeHtml(x.resolved_at ? timeFmt(x.resolved_at) : '—') + '</td></tr>';
    }).join('');
    var body = $('#alerts-table tbody');
    if (body.innerHTML !== html) body.innerHTML = html;
  }

  function safely(fn, what) { return function (d) { try { fn(d); } catch (err) { console.warn('bad ' + what, err); } }; }
  var showHistory = safely(renderHistory, 'history');
  var showQuality = safely(renderQuality, 'quality');
  var showAlerts = safely(renderAlerts, 'alerts');

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
    es.addEventListener('history', function (e) { state.lastEventAt = Date.now(); showHistory(JSON.parse(e.data)); });
    es.addEventListener('quality', function (e) { state.lastEventAt = Date.now(); showQuality(JSON.parse(e.data)); });
    es.addEventListener('alerts', function (e) { state.lastEventAt = Date.now(); showAlerts(JSON.parse(e.data)); });
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
    pollResults();
  }

  // The stream sends history and quality on connect and on every change; without it (a proxy
  // that buffers SSE, a reconnect loop) they are fetched here. 404 = not computed yet (null);
  // any other failure keeps what is shown.
  function pollResults() {
    if (state.connection === 'live' || state.connection === 'connecting') return;
    var orNull = function (r) { if (r.status === 404) return null; if (!r.ok) throw new Error('HTTP ' + r.status); return r.json(); };
    fetch('/api/history', { cache: 'no-store' }).then(orNull).then(function (h) {
      if (JSON.stringify(h) !== JSON.stringify(state.history)) showHistory(h);
    }).catch(function () { /* the stream or the next poll brings it */ });
    fetch('/api/alerts', { cache: 'no-store' }).then(orNull).then(function (a) {
      if (!state.alerts || !a || a.version !== state.alerts.version) showAlerts(a);
    }).catch(function () { /* the stream or the next poll brings it */ });
    fetch('/api/quality', { cache: 'no-store' }).then(orNull).then(function (q) {
      if (JSON.stringify(q) !== JSON.stringify(state.quality)) showQuality(q);
    }).catch(function () { /* the stream or the next poll brings it */ });
  }

  connect();
  poll();
  setInterval(poll, FALLBACK_MS);
  setInterval(function () { tickClock(); checkBanner(); tickAsOf(); }, 1000);
})();
