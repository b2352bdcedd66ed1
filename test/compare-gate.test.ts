// compare as a CI gate, end to end on real runs of the built-in ci-gate scenario (shortened: 5
// rounds of 1 s, the fewest the test decides with): three runs of the same code compared pairwise
// must pass, and a run where one strategy does measurably more per write (a 2 ms pg_sleep in a
// trigger) and another starts losing increments (a trigger that swallows some of its UPDATEs)
// must fail with both. The changes are made to the deployed schemas by the test, so no test-only
// strategy exists in the product's list.
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { run } from '../harness/run/runner.ts';
import { loadScenario } from '../harness/config/scenario.ts';
import { connectPg } from '../harness/db/connect.ts';
import { compareCommand } from '../harness/cli/compare.ts';
import type { Planned } from '../harness/run/rounds.ts';
import type { Targets } from '../harness/run/targets.ts';
import { testDatabaseUrl, uniqueTag } from './support/env.ts';
import { captureOutput } from './support/capture-output.ts';

const ns = uniqueTag();
let dir: string;
const A: string[] = [];
let B: string;

const capture = captureOutput;

/** In B: trigger-upsert's every INSERT sleeps 2 ms more; manual-update's UPDATE of
 *  user_stats is swallowed for about one increment in twenty (the trigger's WHEN is evaluated
 *  without calling a function for the other nineteen: its write costs the same). */
async function worsen(entries: Planned[], t: Targets): Promise<void> {
  const schemaOf = (id: string) => entries.find((e) => e.strategy.id === id)!.ctx.schema;
  const c = await connectPg(t.pg.url, { applicationName: 'counterbench:test-worsen' });
  try {
    const slow = schemaOf('trigger-upsert');
    await c.query(`CREATE FUNCTION "${slow}".test_slower() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN PERFORM pg_sleep(0.002); RETURN NEW; END $$`);
    await c.query(`CREATE TRIGGER test_slower BEFORE INSERT ON "${slow}".user_answers_new FOR EACH ROW EXECUTE FUNCTION "${slow}".test_slower()`);
    const lossy = schemaOf('manual-update');
    await c.query(`CREATE FUNCTION "${lossy}".test_lossy() RETURNS trigger LANGUAGE plpgsql AS $$ BEGIN RETURN OLD; END $$`);
    await c.query(
      `CREATE TRIGGER test_lossy BEFORE UPDATE ON "${lossy}".user_stats FOR EACH ROW ` +
        `WHEN (NEW.total_answers_lifetime > OLD.total_answers_lifetime AND random() < 0.05) EXECUTE FUNCTION "${lossy}".test_lossy()`,
    );
  } finally {
    await c.end();
  }
}

async function gateRun(name: string, afterDeploy?: typeof worsen): Promise<string> {
  const s = loadScenario('ci-gate', { duration: 1 });
  const scenario = { ...s, rounds: 5, phases: { ...s.phases, warmupSeconds: 0.3 } };
  const { resultsPath } = await run({ scenario, outDir: path.join(dir, name), databaseUrl: testDatabaseUrl(), env: {}, namespace: ns, afterDeploy });
  return resultsPath;
}

beforeAll(async () => {
  dir = await mkdtemp(path.join(os.tmpdir(), 'cb-gate-'));
  for (const n of ['a1', 'a2', 'a3']) A.push(await gateRun(n));
  B = await gateRun('b', worsen);
}, 400_000);

afterAll(async () => {
  if (dir && !process.env.CB_KEEP) await rm(dir, { recursive: true, force: true });
});

async function compare(a: string, b: string): Promise<{ code: number; json: any }> {
  const o = capture();
  const code = await compareCommand([a, b, '--json', '--out', path.join(dir, `cmp-${path.basename(path.dirname(a))}-${path.basename(path.dirname(b))}`)], o);
  return { code, json: JSON.parse(o.stdout) };
}

describe('compare as a CI gate on ci-gate runs', () => {
  it('A/A: three runs of the same code, compared pairwise, pass with no regression flagged', async () => {
    for (const [i, j] of [[0, 1], [0, 2], [1, 2]]) {
      const { code, json } = await compare(A[i], A[j]);
      const why = JSON.stringify({ pair: [i, j], env: json.environment, regressions: json.regressions.map((f: any) => [f.strategy, f.figure, f.changePct, f.interval]), drift: json.drift.filter((d: any) => d.verdict === 'regression') });
      expect(code, why).toBe(0);
      expect(json.regression).toBe(false);
      // the runs can decide: the ratios to baseline were tested, none too few
      const ratios = json.figures.filter((f: any) => f.figure.startsWith('vsBaseline.'));
      expect(ratios.length).toBe(6);
      expect(ratios.every((f: any) => f.interval && f.samples.a.length === 5)).toBe(true);
      expect(json.tooFewSamples).toBeUndefined();
    }
  });

  // That a drift regression does not depend on any figure moving is asserted on identical figures
  // in reports-compare.test.ts; here it is flagged on real runs, beside the figures' own verdicts.
  it('A/B: 2 ms more per write is a regression with its interval, exit 1; an exact strategy that starts losing increments is a drift regression', async () => {
    const { code, json } = await compare(A[0], B);
    expect(code).toBe(1);
    const flagged = json.regressions.map((f: any) => `${f.strategy} ${f.figure}`);
    expect(flagged).toContain('trigger-upsert vsBaseline.writeP50Ratio');
    const ratio = json.regressions.find((f: any) => f.strategy === 'trigger-upsert' && f.figure === 'vsBaseline.writeP50Ratio');
    expect(ratio.interval.lowPct).toBeGreaterThan(json.thresholdPct);
    const drift = json.drift.filter((d: any) => d.verdict === 'regression').map((d: any) => `${d.strategy} ${d.counter}`);
    expect(drift).toEqual(['manual-update user_stats.total_answers_lifetime']);
    expect(json.drift.find((d: any) => d.strategy === 'manual-update' && d.counter === 'user_stats.total_answers_lifetime').reason).toMatch(/^was exact, now is not \(\d+ lost\)$/);
    // trigger-upsert drifts by design under deletes, in both runs: the ledger explains it
    expect(json.drift.filter((d: any) => d.strategy === 'trigger-upsert').every((d: any) => d.verdict === 'not judged' && d.b.extraBeyondDeletes === 0)).toBe(true);
  });

  it('--markdown carries the regressions with their intervals; compare.html shows both runs per significant change', async () => {
    const o = capture();
    const out = path.join(dir, 'md');
    expect(await compareCommand([A[0], B, '--markdown', '--out', out], o)).toBe(1);
    expect(o.stdout).toMatch(/\| `trigger-upsert` \| `vsBaseline\.writeP50Ratio` \| [\d.]+× \| [\d.]+× \| \+[\d.]+ % \| \[\+[\d.]+, \+[\d.]+ %\] \| \*\*regression\*\* \|/);
    expect(o.stdout).toMatch(/drift `manual-update` `user_stats\.total_answers_lifetime`: was exact, now is not/);
    const html = await readFile(path.join(out, 'compare.html'), 'utf8');
    const specs = JSON.parse(/<script type="application\/json" id="chart-specs">(.*?)<\/script>/s.exec(html)![1]);
    const chart = specs.find((c: any) => c.id.includes('trigger-upsert') && c.id.includes('vsbaseline-writep50ratio'));
    expect(chart.spec.layer[0].mark.type).toBe('boxplot');
    expect(chart.spec.data.values.map((v: any) => v.run).sort().join('')).toBe('AAAAABBBBB');
    expect(html).toContain('vegaEmbed');
  });
});
