// report.html from disk in Debian's headless Chromium with every network request refused, as
// test/reports-browser.test.ts opens it: resolves once every chart has drawn, with what the page
// logged as an error and what it tried to fetch.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface OpenReport {
  page: Page;
  problems: string[];
  blocked: string[];
  close(): Promise<void>;
}

export async function openReportOffline(htmlPath: string): Promise<OpenReport> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'cb-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  const close = async () => {
    await ctx.close();
    rmSync(profile, { recursive: true, force: true });
  };
  try {
    const page = await ctx.newPage();
    const problems: string[] = [];
    const blocked: string[] = [];
    page.on('console', (m) => {
      if (m.type() === 'error') problems.push(`console: ${m.text()}`);
    });
    page.on('pageerror', (e) => problems.push(`pageerror: ${e.message}`));
    await page.route('**', (route) => {
      const url = route.request().url();
      if (url.startsWith('file:')) return route.continue();
      blocked.push(url);
      return route.abort();
    });
    await page.goto(pathToFileURL(htmlPath).href);
    await page.waitForFunction(() => [...document.querySelectorAll('[data-chart]')].every((el) => el.querySelector('svg, canvas')), undefined, { timeout: 30_000 });
    return { page, problems, blocked, close };
  } catch (e) {
    await close();
    throw e;
  }
}
