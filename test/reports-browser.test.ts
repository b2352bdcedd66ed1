// Opens report.html from disk in Debian's headless Chromium with every network request refused:
// each chart must draw, the verdict must be the first thing on the page, and nothing may log an
// error. The screenshot stays in test-artifacts/ for a person to look at.
import { existsSync, mkdirSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { writeReports } from '../reports/write.ts';
import { buildResults } from './reports-fixture.ts';
import { buildCapacityResults } from './capacity-fixture.ts';
import { measured } from './compare-fixture.ts';
import { compareResults, renderCompareHtml } from '../reports/compare.ts';
import { writeFile } from 'node:fs/promises';
import { run } from '../harness/run/runner.ts';
import { scenarioFromObject } from '../harness/config/scenario.ts';
import type { Results } from '../harness/results/types.ts';
import { testDatabaseUrl, testRedisUrl, uniqueTag } from './support/env.ts';
import { CHROMIUM, launchChromium, openPageOffline } from './support/browser.ts';
import { interleave } from '../harness/interleave/interleave.ts';
import { strategyById } from '../harness/strategies/index.ts';

const ARTIFACTS = path.resolve(import.meta.dirname, '..', 'test-artifacts');

// Skipped only off CI when Chromium is absent; on CI a missing browser fails the launch loudly.
describe.skipIf(!existsSync(CHROMIUM) && !process.env.CI)('report.html in a browser', () => {
  let browser: Awaited<ReturnType<typeof launchChromium>>;
  let outDir: string;

  beforeAll(async () => {
    outDir = await mkdtemp(path.join(os.tmpdir(), 'cb-report-'));
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    await rm(outDir, { recursive: true, force: true });
  });

  async function open(width: number, results: Results = buildResults()) {
    const [htmlPath] = await writeReports(results, outDir);
    return openFile(width, htmlPath);
  }

  const openFile = (width: number, htmlPath: string) => openPageOffline(browser.ctx, htmlPath, width);

  /** What a person sees after a real run, not a rendering fixture. */
  async function realRun(): Promise<Results> {
    const scenario = scenarioFromObject({
      name: 'browser',
      strategies: ['baseline', 'production-trigger', 'materialized-view', 'generated-column', 'redis-queue'],
      data: { users: 100, sessionsPerUser: 1, answersPerUser: 3 },
      load: { model: 'closed', clients: 2 },
      phases: { warmup: 0, duration: 1 },
      options: { mvRefreshInterval: '300ms', redisSyncInterval: '300ms', driftSampleInterval: '100ms' },
    });
    const outcome = await run({ scenario, outDir, databaseUrl: testDatabaseUrl(), env: { REDIS_URL: testRedisUrl() }, namespace: uniqueTag() });
    return outcome.results;
  }

  it('draws every chart of a real run offline, verdict first, without errors', async () => {
    const { page, problems, blocked } = await open(1280, await realRun());
    const charts = await page.$$eval('[data-chart]', (els) => els.map((el) => ({ id: el.id, drawn: !!el.querySelector('svg, canvas') })));
    expect(charts.length).toBeGreaterThanOrEqual(5);
    for (const c of charts) expect(c.drawn, c.id).toBe(true);
    // latency over time for every strategy that ran, beside the events of its jobs
    for (const id of ['baseline', 'production-trigger', 'materialized-view']) expect(charts.map((c) => c.id)).toContain(`chart-latency-over-time-${id}`);
    expect(await page.$eval('main > section', (el) => el.id)).toBe('verdict');
    // a closed run: the page says so, and does not claim latency from an intended start
    const latency = (await page.textContent('#latency'))!;
    expect(latency).toContain('Closed model, 2 clients.');
    expect(latency).toContain('a stall shows as lost throughput');
    expect(await page.textContent('body')).not.toContain('intended start');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-real-run.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  });

  it('draws every chart offline, verdict first, without errors', async () => {
    const { page, problems, blocked } = await open(1280);
    const charts = await page.$$eval('[data-chart]', (els) => els.map((el) => ({ id: el.id, drawn: !!el.querySelector('svg, canvas'), text: el.textContent ?? '' })));
    expect(charts.length).toBeGreaterThanOrEqual(8);
    for (const c of charts) {
      expect(c.drawn, c.id).toBe(true);
      expect(c.text, c.id).not.toContain('could not be drawn');
    }
    // the fixture's stalled strategy: its lines break at the stall, with the REFRESH beside it
    const stalled = await page.$$eval('#chart-latency-over-time-materialized-view svg path', (els) => els.length);
    expect(stalled).toBeGreaterThan(0);
    expect(await page.textContent('#chart-latency-over-time-materialized-view')).toContain('mv-refresh');
    const first = await page.$eval('main > section', (el) => ({ id: el.id, top: el.getBoundingClientRect().top }));
    expect(first.id).toBe('verdict');
    expect(first.top).toBeLessThan(900);
    expect(await page.textContent('#verdict .lead')).toContain('kept every counter exact');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'report.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  });

  it('draws compare.html: a box plot of both runs per significant change, verdict first', async () => {
    const htmlPath = path.join(outDir, 'compare.html');
    await writeFile(htmlPath, renderCompareHtml(compareResults(measured(), measured({ slower: ['trigger-upsert'] }))));
    const { page, problems, blocked } = await openFile(1280, htmlPath);
    const charts = await page.$$eval('[data-chart]', (els) => els.map((el) => ({ id: el.id, boxes: el.querySelectorAll('svg path, svg rect').length })));
    expect(charts.map((c) => c.id)).toContain('chart-compare-0-trigger-upsert-vsbaseline-writelatencyratio');
    for (const c of charts) expect(c.boxes, c.id).toBeGreaterThan(0);
    expect(await page.textContent('#verdict .lead')).toMatch(/^3 regressions/);
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'compare.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  });

  it('draws the capacity page: the hockey stick and achieved-vs-offered charts per size', async () => {
    const { page, problems, blocked } = await open(1280, buildCapacityResults());
    const charts = await page.$$eval('[data-chart]', (els) => els.map((el) => ({ id: el.id, drawn: !!el.querySelector('svg, canvas'), text: el.textContent ?? '' })));
    expect(charts.map((c) => c.id)).toEqual(['chart-capacity-latency-1000', 'chart-capacity-throughput-1000', 'chart-capacity-latency-10000', 'chart-capacity-throughput-10000']);
    for (const c of charts) {
      expect(c.drawn, c.id).toBe(true);
      expect(c.text, c.id).not.toContain('could not be drawn');
    }
    // the zone lines are labelled on the chart, and the harness-limited steps have their legend entry
    const latency = await page.$eval('#chart-capacity-latency-1000', (el) => el.textContent ?? '');
    expect(latency).toContain('yellow zone: p99 50 ms');
    expect(latency).toContain('red zone: p99 100 ms');
    expect(latency).toContain('harness-limited step');
    expect(await page.$eval('main > section', (el) => el.id)).toBe('capacity');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-capacity.png'), fullPage: true });
    expect(problems).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  });

  it("draws Migration 007's race from a real interleave run as a timeline, the lost increment marked", async () => {
    const results = await interleave({
      strategies: ['production-trigger', 'materialized-view', 'count-star'].map((id) => strategyById(id)!),
      databaseUrl: testDatabaseUrl(),
      env: { REDIS_URL: testRedisUrl() },
      namespace: uniqueTag(),
    });
    const { page, problems, blocked } = await open(1280, results);
    const timeline = page.locator('#chart-interleaving-production-trigger');
    expect(await timeline.locator('svg').count()).toBe(1);
    const text = (await timeline.textContent())!;
    expect(text).toContain('INSERT INTO user_answers_new');
    expect(text).toContain('s2: lost here');
    expect(text).toContain('COMMIT');
    // a column per session: s2's INSERT is drawn to the right of s1's
    const inserts = await timeline.locator('svg text', { hasText: 'INSERT INTO user_answers_new' }).evaluateAll((els) => els.map((el) => el.getBoundingClientRect().left));
    expect(inserts).toHaveLength(2);
    expect(inserts[1]).toBeGreaterThan(inserts[0] + 100);
    // what a reader of the materialized view sees, and a strategy with nothing failing said so
    expect(await page.locator('#chart-interleaving-materialized-view svg').count()).toBe(1);
    expect(await page.textContent('#interleavings')).toContain('no failing permutation among 44 tried');
    mkdirSync(ARTIFACTS, { recursive: true });
    await page.locator('#interleavings').screenshot({ path: path.join(ARTIFACTS, 'report-interleavings.png') });
    expect(problems).toEqual([]);
    expect(blocked).toEqual([]);
    await page.close();
  });

  it('reads on a narrow screen: the page itself does not scroll sideways', async () => {
    const { page, problems } = await open(390);
    const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
    expect(overflow).toBeLessThanOrEqual(1);
    await page.screenshot({ path: path.join(ARTIFACTS, 'report-narrow.png'), fullPage: false });
    expect(problems).toEqual([]);
    await page.close();
  });
});
