/**
 * The live dashboard in a real browser (Debian chromium driven by playwright-core) with the real
 * pipeline running: empty state first, then tiles and charts change as events arrive over SSE,
 * then the History section and the Data quality panel render batch results stored in Redis
 * (RedisResultStore, the test's own KPI_PREFIX) and follow a new save live, then the
 * disconnected banner when the dashboard goes away, and recovery when it is back.
 * Saves screenshots to .local/screenshots/; with UPDATE_DOCS_SCREENSHOT=1 also docs/dashboard.png.
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../shared/platform/config.ts';
import { startDashboard, type Dashboard } from '../dashboard/server.ts';
import { ensureDebianTools } from './browser-setup.ts';
import { openCheckedPage, type CheckedPage } from './browser-page.ts';
import { acceptedOf, seededStream, startKpiPipeline, type KpiPipeline } from './kpi-pipeline.ts';
import { waitFor } from '../dev/testing/wait-for.ts';
import { RedisResultStore } from '../shared/analytics/adapters/redis-results.ts';
import { HISTORY_VIEWS } from '../shared/analytics/views.ts';
import type { QualityReport } from '../shared/analytics/types.ts';
import { foldHistory } from '../dashboard/testing/history-fold.ts';

const shots = path.join(ROOT, '.local', 'screenshots');

async function tile(page: Page, field: string): Promise<string> {
  return (await page.locator(`.t-value[data-field="${field}"]`).textContent()) ?? '';
}

async function chartData(page: Page): Promise<Record<string, unknown>> {
  return page.evaluate(() => {
    const w = window as unknown as { Chart: { getChart(id: string): { data: { labels: unknown[]; datasets: { data: unknown[] }[] } } } };
    const out: Record<string, unknown> = {};
    for (const id of ['chart-rpm', 'chart-products', 'chart-states', 'chart-payments', 'chart-segments']) {
      const c = w.Chart.getChart(id);
      out[id] = { labels: c.data.labels, data: c.data.datasets.map((d) => d.data) };
    }
    return out;
  });
}

const usd = (x: number): string => new Intl.NumberFormat('en-US', { style: 'currency', currency: 'USD', minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(x);

async function hfield(page: Page, field: string): Promise<string> {
  return (await page.locator(`.h-value[data-hfield="${field}"]`).textContent()) ?? '';
}

async function historyCharts(page: Page): Promise<Record<string, { labels: unknown[]; data: unknown[][]; names: unknown[] }>> {
  return page.evaluate(() => {
    const w = window as unknown as { Chart: { getChart(id: string): { data: { labels: unknown[]; datasets: { data: unknown[]; label?: string }[] } } } };
    const out: Record<string, { labels: unknown[]; data: unknown[][]; names: unknown[] }> = {};
    for (const id of ['chart-daily', 'chart-categories', 'chart-failures']) {
      const c = w.Chart.getChart(id);
      out[id] = { labels: c.data.labels, data: c.data.datasets.map((d) => d.data), names: c.data.datasets.map((d) => d.label) };
    }
    return out;
  });
}

describe('dashboard in headless Chromium', () => {
  let p: KpiPipeline;
  let dash: Dashboard;
  let browser: CheckedPage | undefined;
  let page: Page;
  const { messages } = seededStream(3000, 4242);
  const first = messages.slice(0, 1500);
  const firstCount = acceptedOf(first).length;
  const allCount = acceptedOf(messages).length;
  let errors: string[] = [];

  beforeAll(async () => {
    await ensureDebianTools(['chromium']);
    mkdirSync(shots, { recursive: true });
    p = await startKpiPipeline('browser', { quiet: true });
    dash = await startDashboard({ config: p.config, port: 0 });
    browser = await openCheckedPage();
    page = browser.page;
    errors = browser.errors;
  });
  afterAll(async () => {
    await browser?.close();
    await dash?.close().catch(() => undefined);
    await p?.close();
  });

  it('shows the empty state, live, before any order', async () => {
    const resp = await page.goto(dash.url + '/');
    expect(resp?.headers()['content-security-policy']).toMatch(/^default-src 'none'; script-src 'self'; style-src 'self';/);
    await page.locator('#status[data-state="live"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator('#empty').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.locator('#charts').isVisible()).toBe(false);
    expect(await tile(page, 'orders')).toBe('0');
    // no batch run, no quality check yet: their empty states
    await expect.poll(() => page.evaluate(() => document.body.dataset.history), { timeout: 10_000 }).toBe('none');
    expect(await page.locator('#history-empty').isVisible()).toBe(true);
    expect(await page.locator('#history-empty').textContent()).toMatch(/analytics function has not run yet/);
    expect(await page.locator('#history-body').isVisible()).toBe(false);
    expect(await page.locator('#quality-empty').isVisible()).toBe(true);
    expect(await page.locator('#quality-body').isVisible()).toBe(false);
    await page.screenshot({ path: path.join(shots, 'dashboard-empty.png') });
  });

  it('tiles and every chart change as events arrive over SSE', async () => {
    await p.send(first);
    await waitFor(async () => (await tile(page, 'orders')) === firstCount.toLocaleString('en-US'), { timeoutMs: 180_000, intervalMs: 250, what: `orders tile = ${firstCount}` });
    expect(await page.locator('#empty').isVisible()).toBe(false);
    const before = await chartData(page);
    const updatedBefore = await page.locator('#last-updated').textContent();
    const revenueBefore = await tile(page, 'revenue');
    expect(revenueBefore).toMatch(/^\$[\d,]+\.\d\d$/);

    await p.send(messages.slice(1500));
    await waitFor(async () => (await tile(page, 'orders')) === allCount.toLocaleString('en-US'), { timeoutMs: 180_000, intervalMs: 250, what: `orders tile = ${allCount}` });
    await page.waitForTimeout(800); // let the last render and chart animation settle
    const after = await chartData(page);
    for (const id of Object.keys(after)) expect(after[id], `${id} changed`).not.toEqual(before[id]);
    expect(await tile(page, 'revenue')).not.toBe(revenueBefore);
    expect(await page.locator('#last-updated').textContent()).toMatch(/^Last updated \d\d:\d\d:\d\d UTC/);
    expect(await page.locator('#last-updated').textContent()).not.toBe(updatedBefore);
    // the page shows what the API serves
    const summary = await p.get<{ orders: number; unique_customers: number }>('/api/kpis/summary');
    expect(await tile(page, 'unique_customers')).toBe(summary.unique_customers.toLocaleString('en-US'));
    expect(await page.locator('#payments-table tbody tr').count()).toBe(4);
    expect(await page.locator('#segments-table tbody tr').count()).toBe(3);
    await page.screenshot({ path: path.join(shots, 'dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
  });

  it('the History section and the Data quality panel show the stored batch results, and follow a new save live', async () => {
    const accepted = acceptedOf(messages);
    const bad = messages.filter((m) => m.kind === 'bad');
    const dlq: Record<string, number> = {};
    for (const m of bad) if (m.expect) dlq[m.expect] = (dlq[m.expect] ?? 0) + 1;
    // The batch recomputation of exactly the orders the live KPIs count (nothing archived here).
    const r = foldHistory(accepted, { engine: 'duckdb', asOf: new Date(Date.now() - 5_000) });
    const q: QualityReport = { as_of: new Date().toISOString(), engine: 'duckdb', checked_fields: 42, mismatches: 0, orders_hot: accepted.length, orders_archived: 0, duplicates_archived: 0, dlq_by_reason: dlq, details: [] };
    const results = RedisResultStore.open(p.config.redisUrl, p.config.kpiPrefix, 'browser-test-results');
    try {
      await page.evaluate(() => ((window as unknown as { marker: number }).marker = 42)); // gone if the page reloads
      await results.saveHistory(r);
      await results.saveQuality(q);
      await page.locator('body[data-history="shown"][data-quality="ok"]').waitFor({ timeout: 15_000 });

      // the summary strip and the engine / as-of label
      const summary = HISTORY_VIEWS.summary(r);
      expect(await hfield(page, 'orders')).toBe(allCount.toLocaleString('en-US'));
      expect(await hfield(page, 'revenue')).toBe(usd(summary.revenue));
      expect(await hfield(page, 'aov')).toBe(usd(summary.aov));
      expect(await hfield(page, 'unique_customers')).toBe(summary.unique_customers.toLocaleString('en-US'));
      expect(await hfield(page, 'orders')).toBe(await tile(page, 'orders')); // history agrees with the live tiles
      const label = (await page.locator('#history-asof').textContent()) ?? '';
      expect(label).toMatch(new RegExp(`^DuckDB · as of ${r.as_of.slice(11, 19)} UTC, \\d+ s ago$`));
      for (const of of ['daily', 'categories', 'state-category', 'payments-daily', 'quality']) {
        expect(await page.locator(`.asof[data-asof-of="${of}"]`).textContent(), of).toMatch(/^DuckDB · as of \d\d:\d\d:\d\d UTC, \d+ s ago$/);
      }

      // the charts carry the seeded numbers
      const ch = await historyCharts(page);
      const daily = HISTORY_VIEWS.daily(r).days;
      expect(ch['chart-daily']?.data).toEqual([daily.map((d) => d.revenue), daily.map((d) => d.orders)]);
      const cats = HISTORY_VIEWS.categories(r).categories;
      expect(ch['chart-categories']?.labels).toEqual(cats.map((c) => c.category));
      expect(ch['chart-categories']?.data).toEqual([cats.map((c) => c.revenue)]);
      expect(await page.locator('#categories-table tbody tr').count()).toBe(cats.length);
      expect(await page.locator('#categories-table tbody tr').first().textContent()).toBe(`${cats[0]!.category}${cats[0]!.orders.toLocaleString('en-US')}${cats[0]!.quantity.toLocaleString('en-US')}${usd(cats[0]!.revenue)}`);
      expect(ch['chart-failures']?.names).toEqual(['Credit card', 'Debit card', 'PayPal', 'Crypto']);
      const pays = HISTORY_VIEWS['payments-daily'](r).rows;
      const crypto = pays.filter((x) => x.method === 'crypto');
      expect(ch['chart-failures']?.data[3]).toEqual(crypto.map((x) => x.failed / x.attempts));

      // the heat map: a row per state, a column per category, values in the cells and titles
      const cells = HISTORY_VIEWS['state-category'](r).cells;
      const states = new Set(cells.map((c) => c.state));
      expect(await page.locator('#heatmap tbody tr').count()).toBe(states.size);
      expect(await page.locator('#heatmap thead th').count()).toBe(cats.length + 2);
      const top = [...cells].sort((a, b) => b.revenue - a.revenue)[0]!;
      const cell = page.locator(`#heatmap tr[data-state="${top.state}"] td[data-category="${top.category}"]`);
      expect(Number(await cell.getAttribute('data-revenue'))).toBe(top.revenue);
      expect(await cell.getAttribute('title')).toBe(`${top.state} · ${top.category}: ${usd(top.revenue)} revenue, ${top.orders} orders`);
      expect(await cell.getAttribute('style')).toMatch(/background: ?rgba\(79, 70, 229, 0\.90*\)/); // the top cell is the darkest

      // the quality panel: green, counts, DLQ by reason, no details
      expect(await page.locator('#q-status').getAttribute('data-ok')).toBe('true');
      expect(await page.locator('#q-mismatches').textContent()).toBe('0');
      expect(await page.locator('#q-checked').textContent()).toBe('42');
      expect(await page.locator('#q-hot').textContent()).toBe(accepted.length.toLocaleString('en-US'));
      expect(await page.locator('#q-archived').textContent()).toBe('0');
      expect(await page.locator('#q-dlq tbody tr').count()).toBe(Object.keys(dlq).length);
      expect(await page.locator('#q-details-wrap').isVisible()).toBe(false);
      await page.waitForTimeout(800); // let the chart animations settle for the screenshot
      await page.screenshot({ path: path.join(shots, 'dashboard-history.png'), fullPage: true });
      if (process.env.UPDATE_DOCS_SCREENSHOT === '1') await page.screenshot({ path: path.join(ROOT, 'docs', 'dashboard.png'), fullPage: true });

      // a new run (another engine) and a failing check: the page follows over SSE, no reload
      const renders = await page.evaluate(() => (window as unknown as { orderpulse: { historyRenders: number } }).orderpulse.historyRenders);
      const r2 = foldHistory(accepted.slice(0, 1000), { engine: 'spark', asOf: new Date() });
      await results.saveHistory(r2);
      await results.saveQuality({ ...q, engine: 'spark', mismatches: 1, details: [{ field: 'summary.orders', live: accepted.length, batch: 1000 }] });
      await page.locator('body[data-quality="mismatch"]').waitFor({ timeout: 15_000 });
      await waitFor(async () => (await hfield(page, 'orders')) === '1,000', { timeoutMs: 15_000, intervalMs: 100, what: 'the history orders of the new run' });
      expect(await page.locator('#history-asof').textContent()).toMatch(/^Spark · as of /);
      expect(await page.locator('#q-status').getAttribute('data-ok')).toBe('false');
      expect(await page.locator('#q-mismatches').textContent()).toBe('1');
      expect(await page.locator('#q-details-wrap').isVisible()).toBe(true);
      expect(await page.locator('#q-details tbody tr').textContent()).toBe(`summary.orders${accepted.length.toLocaleString('en-US')}1,000`);
      expect((await historyCharts(page))['chart-daily']?.data[1]).toEqual(HISTORY_VIEWS.daily(r2).days.map((d) => d.orders));
      expect(await page.evaluate(() => (window as unknown as { orderpulse: { historyRenders: number } }).orderpulse.historyRenders)).toBeGreaterThan(renders);
      expect(await page.evaluate(() => (window as unknown as { marker?: number }).marker)).toBe(42);

      // a result older than 3 minutes is marked stale
      await results.saveHistory({ ...r2, as_of: new Date(Date.now() - 5 * 60_000).toISOString() });
      await page.locator('#history-asof.stale').waitFor({ timeout: 15_000 });
      expect(await page.locator('#history-asof').textContent()).toMatch(/^Spark · as of \d\d:\d\d:\d\d UTC, 5 min ago · stale$/);
      await page.screenshot({ path: path.join(shots, 'dashboard-history-mismatch.png'), fullPage: true });
      expect(errors).toEqual([]);
      expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    } finally {
      await results.close();
    }
  });

  it('shows a disconnected banner when the stream drops, and recovers', async () => {
    const port = dash.port;
    await dash.close();
    await page.locator('#banner').waitFor({ state: 'visible', timeout: 15_000 });
    expect(await page.locator('#status').getAttribute('data-state')).not.toBe('live');
    expect(await page.locator('#banner-text').textContent()).toMatch(/Reconnecting/);
    // the last figures stay on screen
    expect(await tile(page, 'orders')).toBe(allCount.toLocaleString('en-US'));
    await page.screenshot({ path: path.join(shots, 'dashboard-disconnected.png') });
    dash = await startDashboard({ config: p.config, port });
    await page.locator('#status[data-state="live"]').waitFor({ timeout: 30_000 });
    await page.locator('#banner').waitFor({ state: 'hidden', timeout: 5_000 });
  });
});
