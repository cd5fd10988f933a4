/**
 * Alerts in a real browser (issue 11 item 2): AlertChanges produced to a private `alerts` topic go
 * through the real path (Kafka -> connector -> alert-deliver -> Redis + PUBLISH -> dashboard SSE)
 * and the page shows the banner (severity colour) and the panel; on resolve the banner goes and
 * the panel marks the alert resolved. The page runs under the strict CSP with no violation.
 * Screenshots in .local/screenshots/ (alerts-open.png, alerts-resolved.png).
 */
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ROOT } from '../shared/platform/config.ts';
import { startDashboard, type Dashboard } from '../dashboard/server.ts';
import { ensureDebianTools } from './browser-setup.ts';
import { openCheckedPage, type CheckedPage } from './browser-page.ts';
import { startAlertsPipeline, type AlertsPipeline } from './alerts-pipeline.ts';
import { alertOf, lifeOf } from '../shared/alerts/testing/alerts.ts';

const shots = path.join(ROOT, '.local', 'screenshots');
const at = (m: number): string => new Date(Date.UTC(2026, 10, 24, 9, m)).toISOString();

describe('alerts in headless Chromium', () => {
  let p: AlertsPipeline;
  let dash: Dashboard;
  let browser: CheckedPage | undefined;
  let page: Page;
  let errors: string[] = [];
  const pay = lifeOf(alertOf({ id: 'payment_failure:crypto:b', started_at: at(0), detected_at: at(1), observed: 0.45, expected: 0.04, severity: 'critical' }));
  const drop = lifeOf(alertOf({ id: 'demand_drop:all:b', kind: 'demand_drop', subject: { scope: 'all' }, severity: 'warning', started_at: at(2), detected_at: at(3), observed: 3, expected: 42 }));

  beforeAll(async () => {
    await ensureDebianTools(['chromium']);
    mkdirSync(shots, { recursive: true });
    p = await startAlertsPipeline('browser');
    dash = await startDashboard({ config: p.config, port: 0 });
    browser = await openCheckedPage();
    page = browser.page;
    errors = browser.errors;
  }, 120_000);
  afterAll(async () => {
    await browser?.close();
    await dash?.close().catch(() => undefined);
    await p?.close();
  });

  it('no alerts: no banner, the panel says so', async () => {
    await page.goto(dash.url + '/');
    await page.locator('#status[data-state="live"]').waitFor({ timeout: 15_000 });
    await expect.poll(() => page.evaluate(() => document.body.dataset.alerts), { timeout: 10_000 }).toBe('0');
    expect(await page.locator('#alert-banner').isVisible()).toBe(false);
    expect(await page.locator('#alerts-empty').isVisible()).toBe(true);
    expect(await page.locator('#alerts-count').textContent()).toBe('none open');
  });

  it('opened alerts appear live: banner in the highest severity colour, one panel row each', async () => {
    const t0 = performance.now();
    await p.send([drop.opened]);
    await page.locator('#alert-banner[data-severity="warning"]').waitFor({ state: 'visible', timeout: 60_000 });
    process.stdout.write(`alerts: produced to Kafka -> banner visible in Chromium in ${(performance.now() - t0).toFixed(0)} ms\n`);
    expect(await page.locator('#alert-banner-title').textContent()).toBe('1 open alert');
    expect(await page.locator('#alert-banner-text').textContent()).toContain('Demand drop · all orders (3 orders/min, expected 42 orders/min)');
    const warnBg = await page.locator('#alert-banner').evaluate((el) => getComputedStyle(el).backgroundColor);

    await p.send([pay.opened, pay.updated]);
    await page.locator('#alert-banner[data-severity="critical"]').waitFor({ state: 'visible', timeout: 60_000 });
    await expect.poll(() => page.locator('#alert-banner-title').textContent(), { timeout: 10_000 }).toBe('2 open alerts');
    expect(await page.locator('#alert-banner').evaluate((el) => getComputedStyle(el).backgroundColor)).not.toBe(warnBg);
    // the critical one first, with the updated figure (observed 0.45 × 1.2)
    expect(await page.locator('#alert-banner-text').textContent()).toMatch(/^Payment failures · Crypto \(54\.0% failed, expected 4\.0% failed\) \| Demand drop/);
    const rows = page.locator('#alerts-table tbody tr');
    expect(await rows.count()).toBe(2);
    const row = page.locator('#alerts-table tbody tr[data-alert-id="payment_failure:crypto:b"]');
    expect(await row.getAttribute('data-state')).toBe('open');
    expect(await row.locator('.sev').textContent()).toBe('critical');
    expect(await row.locator('td').nth(3).textContent()).toBe('Crypto');
    expect(await page.locator('#alerts-count').textContent()).toBe('2 open');
    // what the API serves is what the page shows
    const api = (await (await fetch(dash.url + '/api/alerts')).json()) as { open: { id: string }[]; recent: unknown[] };
    expect(api.open.map((a) => a.id)).toEqual(['payment_failure:crypto:b', 'demand_drop:all:b']);
    expect(await (await fetch(dash.url + '/healthz')).json()).toMatchObject({ status: 'ok', open_alerts: 2 });
    await page.screenshot({ path: path.join(shots, 'alerts-open.png') });
  });

  it('resolving removes them from the banner and marks them resolved in the panel', async () => {
    await p.send([pay.resolved]);
    await page.locator('#alert-banner[data-severity="warning"]').waitFor({ state: 'visible', timeout: 60_000 });
    expect(await page.locator('#alert-banner-title').textContent()).toBe('1 open alert');
    expect(await page.locator('#alerts-table tbody tr[data-alert-id="payment_failure:crypto:b"]').getAttribute('data-state')).toBe('resolved');

    await p.send([drop.resolved]);
    await page.locator('#alert-banner').waitFor({ state: 'hidden', timeout: 60_000 });
    expect(await page.evaluate(() => document.body.dataset.alerts)).toBe('0');
    expect(await page.locator('#alerts-table tbody tr[data-state="resolved"]').count()).toBe(2);
    expect(await page.locator('#alerts-table tbody tr[data-alert-id="demand_drop:all:b"] td').nth(8).textContent()).toBe(drop.resolved.alert.resolved_at!.slice(5, 10) + ' ' + drop.resolved.alert.resolved_at!.slice(11, 19));
    expect(await page.locator('#alerts-count').textContent()).toBe('none open');
    await page.screenshot({ path: path.join(shots, 'alerts-resolved.png') });
    expect(await page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations)).toEqual([]);
    expect(errors).toEqual([]);
  });
});
