/**
 * One headless Chromium page for the browser tests (vitest only): its own profile under
 * .local/tmp, a record of Content-Security-Policy violations (`window.cspViolations`: the page
 * must work under the strict policy) and of page errors and console errors (`errors`).
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import path from 'node:path';
import { chromium, type Page } from 'playwright-core';
import { ROOT } from '../shared/platform/config.ts';
import { CHROMIUM } from './browser-setup.ts';

export interface CheckedPage {
  page: Page;
  /** Uncaught page errors and console errors (a refused connection while a test stops a server excepted). */
  errors: string[];
  close(): Promise<void>;
}

export async function openCheckedPage(): Promise<CheckedPage> {
  mkdirSync(path.join(ROOT, '.local', 'tmp'), { recursive: true });
  const userDir = mkdtempSync(path.join(ROOT, '.local', 'tmp', 'chromium-'));
  const ctx = await chromium.launchPersistentContext(userDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1440, height: 1000 },
  });
  const page = await ctx.newPage();
  await page.addInitScript(() => {
    const w = window as unknown as { cspViolations: string[] };
    w.cspViolations = [];
    document.addEventListener('securitypolicyviolation', (e) => w.cspViolations.push(`${e.violatedDirective} ${e.blockedURI} ${e.sourceFile}:${e.lineNumber}`));
  });
  const errors: string[] = [];
  page.on('pageerror', (e) => errors.push(e.message));
  page.on('console', (m) => {
    if (m.type() === 'error' && !/ERR_CONNECTION_REFUSED|Failed to load resource/.test(m.text())) errors.push(m.text());
  });
  return {
    page,
    errors,
    async close() {
      await ctx.close();
      rmSync(userDir, { recursive: true, force: true });
    },
  };
}
