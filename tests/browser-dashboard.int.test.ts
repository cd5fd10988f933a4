/**
 * The live dashboard in a real browser (Debian chromium driven by playwright-core) with the real
 * pipeline running: empty state first, then tiles and charts change as events arrive over SSE,
 * then the disconnected banner when the dashboard goes away, and recovery when it is back.
 * Saves screenshots to .local/screenshots/; with UPDATE_DOCS_SCREENSHOT=1 also docs/dashboard.png.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../shared/platform/config.ts';
import { startDashboard, type Dashboard } from '../dashboard/server.ts';
import { CHROMIUM, ensureDebianTools } from './browser-setup.ts';
import { acceptedOf, seededStream, startKpiPipeline, type KpiPipeline } from './kpi-pipeline.ts';
import { waitFor } from '../dev/testing/wait-for.ts';

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

describe('dashboard in headless Chromium', () => {
  let p: KpiPipeline;
  let dash: Dashboard;
  let ctx: BrowserContext;
  let page: Page;
  let userDir: string;
  const { messages } = seededStream(3000, 4242);
  const first = messages.slice(0, 1500);
  const firstCount = acceptedOf(first).length;
  const allCount = acceptedOf(messages).length;
  const errors: string[] = [];

  beforeAll(async () => {
    await ensureDebianTools(['chromium']);
    mkdirSync(shots, { recursive: true });
    p = await startKpiPipeline('browser', { quiet: true });
    dash = await startDashboard({ config: p.config, port: 0 });
    userDir = mkdtempSync(path.join(ROOT, '.local', 'tmp', 'chromium-'));
    ctx = await chromium.launchPersistentContext(userDir, {
      executablePath: CHROMIUM,
      headless: true,
      args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      viewport: { width: 1440, height: 1000 },
    });
    page = await ctx.newPage();
    page.on('pageerror', (e) => errors.push(e.message));
    page.on('console', (m) => {
      if (m.type() === 'error' && !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(m.text())) errors.push(m.text());
    });
  });
  afterAll(async () => {
    await ctx?.close();
    if (userDir) rmSync(userDir, { recursive: true, force: true });
    await dash?.close().catch(() => undefined);
    await p?.close();
  });

  it('shows the empty state, live, before any order', async () => {
    await page.goto(dash.url + '/');
    await page.locator('#status[data-state="live"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.locator('#empty').isVisible(), { timeout: 10_000 }).toBe(true);
    expect(await page.locator('#charts').isVisible()).toBe(false);
    expect(await tile(page, 'orders')).toBe('0');
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
    if (process.env.UPDATE_DOCS_SCREENSHOT === '1') await page.screenshot({ path: path.join(ROOT, 'docs', 'dashboard.png'), fullPage: true });
    expect(errors).toEqual([]);
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
