// A report from disk in Debian's headless Chromium with every network request refused: a page that
// needs the network to draw is a report that breaks offline. Resolves once every chart has drawn,
// with what the page logged as an error and what it tried to fetch.
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export interface OpenReport {
  page: Page;
  problems: string[];
  blocked: string[];
  close(): Promise<void>;
}

/** A Chromium of its own, in a throwaway profile; close() removes both. */
export async function launchChromium(): Promise<{ ctx: BrowserContext; close(): Promise<void> }> {
  const profile = mkdtempSync(path.join(os.tmpdir(), 'cb-chromium-'));
  const ctx = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: { width: 1280, height: 900 },
  });
  return {
    ctx,
    async close() {
      await ctx.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/** Opens a report in a new page of `ctx`, offline, and waits for every chart to draw. */
export async function openPageOffline(ctx: BrowserContext, htmlPath: string, width = 1280): Promise<Omit<OpenReport, 'close'>> {
  const page = await ctx.newPage();
  await page.setViewportSize({ width, height: 900 });
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
  // every chart container gets its SVG (the page renders with renderer: 'svg')
  await page.waitForFunction(() => [...document.querySelectorAll('[data-chart]')].every((el) => el.querySelector('svg, canvas')), undefined, { timeout: 30_000 });
  return { page, problems, blocked };
}

/** One report in a Chromium of its own: for a test that opens a single page. */
export async function openReportOffline(htmlPath: string): Promise<OpenReport> {
  const browser = await launchChromium();
  try {
    return { ...(await openPageOffline(browser.ctx, htmlPath)), close: browser.close };
  } catch (e) {
    await browser.close();
    throw e;
  }
}
