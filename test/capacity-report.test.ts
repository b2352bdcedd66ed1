// The capacity section in every report, and `compare` flagging a knee that moved.
import { describe, expect, it } from 'vitest';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { renderHtml } from '../reports/html/render.ts';
import { renderMarkdown } from '../reports/markdown.ts';
import { renderCsv } from '../reports/csv.ts';
import { CAPACITY_CSV_COLUMNS } from '../reports/capacity-csv.ts';
import { renderCapacityText } from '../reports/capacity-text.ts';
import { compareResults, hasRegression, renderCompareText } from '../reports/compare.ts';
import { compareCommand } from '../harness/cli/compare.ts';
import type { Output } from '../harness/cli/output.ts';
import type { Results } from '../harness/results/types.ts';
import { buildCapacityResults } from './capacity-fixture.ts';

function specs(html: string): Array<{ id: string; spec: Record<string, unknown> }> {
  const m = /<script type="application\/json" id="chart-specs">(.*?)<\/script>/s.exec(html);
  return JSON.parse(m![1]);
}

describe('the capacity page', () => {
  const html = renderHtml(buildCapacityResults());

  it('has the knees, the headroom and a hockey stick and achieved-vs-offered chart per size', () => {
    expect(html).toContain('id="capacity"');
    expect(html).toContain('Capacity: how far each strategy carries');
    const ids = specs(html).map((c) => c.id);
    expect(ids).toEqual(['chart-capacity-latency-1000', 'chart-capacity-throughput-1000', 'chart-capacity-latency-10000', 'chart-capacity-throughput-10000']);
    for (const id of ids) expect(html).toContain(`id="${id}"`);
    // the usual run sections are not on a capacity page; the run-info ones close it
    expect(html).not.toContain('id="verdict"');
    expect(html).toContain('id="environment"');
    // knee table: a lower bound says so, the headroom too
    expect(html).toContain('≥ 4,525/s');
    expect(html).toContain('the harness (lower bound)');
    expect(html).toMatch(/In 4 steps the harness itself may have caused the failure/);
  });

  it('draws both zone lines and marks the harness-limited steps', () => {
    const latency = specs(html).find((c) => c.id === 'chart-capacity-latency-1000')!.spec as { layer: Array<{ data: { values: Array<Record<string, unknown>> }; encoding: Record<string, unknown> }> };
    const zones = latency.layer[0].data.values.map((v) => v.ms);
    expect(zones).toEqual(expect.arrayContaining([50, 100]));
    const points = latency.layer[latency.layer.length - 1].data.values;
    const marked = points.filter((p) => p.mark === 'harness-limited step');
    expect(marked.map((p) => p.offered)).toEqual([6400, 6400, 5382, 5382]);
    expect(points.every((p) => p.strategy !== 'trigger-upsert' || p.mark === 'step')).toBe(true);
  });

  it('labels a projection as one', () => {
    expect(html).toMatch(/users \(projected\)|users \(interpolated\)/);
    expect(html).toContain('a projection, not a measurement');
  });
});

describe('summary.md, results.csv and the terminal', () => {
  const r = buildCapacityResults();

  it('summary.md carries the knees table per size and what limited each', () => {
    const md = renderMarkdown(r);
    expect(md).toMatch(/^# counterbench capacity: capacity/);
    expect(md).toContain('### 1,000 users');
    expect(md).toContain('### 10,000 users');
    expect(md).toMatch(/\| `manual-update` \| 1,345\/s \| latency \| [^|]+ \| 1,467\/s \| latency \|/);
    expect(md).toContain('≥ 4,525/s');
    expect(md).toContain('not-started');
    expect(md).toContain('a projection is not a measurement');
  });

  it('results.csv has one row per strategy, size and line', () => {
    const csv = renderCsv(r).trim().split('\r\n');
    expect(csv[0]).toBe(CAPACITY_CSV_COLUMNS.join(','));
    expect(csv.length).toBe(1 + 6 * 2);
    expect(csv[1]).toMatch(/^baseline,1000,50,4525,true,5382,harness,/);
    expect(csv.find((l) => l.startsWith('trigger-upsert,10000,50,'))).toMatch(/,not-measured,.*,not-started,/);
  });

  it('the terminal table says the same', () => {
    const text = renderCapacityText(r);
    expect(text).toMatch(/manual-update\s+1,000\s+50 ms\s+1,345\/s\s+1,405\/s\s+latency/);
    expect(text).toContain("users at which the profile's peak reaches the knee");
  });
});

describe('compare', () => {
  function moved(factor: number): Results {
    const b = buildCapacityResults();
    const k = b.capacity!.searches.find((s) => s.strategy === 'manual-update' && s.users === 1000)!.knees[0];
    k.rate = Math.round(k.rate! * factor);
    return b;
  }

  it('flags a knee that fell by more than the threshold, and not one that moved less', () => {
    const c = compareResults(buildCapacityResults(), moved(0.8), { thresholdPct: 10 });
    const f = c.regressions.find((x) => x.strategy === 'manual-update' && x.figure === 'capacity.knee.1000users.p99<=50ms')!;
    expect(f).toMatchObject({ strategy: 'manual-update', kind: 'capacity', a: 1345, b: 1076, regression: true });
    expect(hasRegression(c)).toBe(true);
    expect(renderCompareText(c)).toMatch(/manual-update\s+capacity\.knee\.1000users\.p99<=50ms\s+1,345\/s\s+1,076\/s\s+−20 %\s+REGRESSION/);
    expect(hasRegression(compareResults(buildCapacityResults(), moved(0.95), { thresholdPct: 10 }))).toBe(false);
    // a higher knee is better
    expect(compareResults(buildCapacityResults(), moved(1.3)).figures.find((x) => x.strategy === 'manual-update' && x.figure === 'capacity.knee.1000users.p99<=50ms')!.improvement).toBe(true);
  });

  it('says when a moved knee was a lower bound', () => {
    const b = buildCapacityResults();
    b.capacity!.searches[0].knees[0].rate = 3000;
    const c = compareResults(buildCapacityResults(), b);
    expect(c.caveats.join('\n')).toMatch(/baseline capacity\.knee\.1000users\.p99<=50ms: A's knee is a lower bound/);
  });

  it('exits 1 on the command line when a knee regressed', async () => {
    const dir = await mkdtemp(path.join(os.tmpdir(), 'cb-capacity-compare-'));
    try {
      await writeFile(path.join(dir, 'a.json'), JSON.stringify(buildCapacityResults()));
      await writeFile(path.join(dir, 'b.json'), JSON.stringify(moved(0.5)));
      const o: Output & { text: string } = { text: '', tty: false, out: (t) => void (o.text += t + '\n'), err: () => {} };
      expect(await compareCommand([path.join(dir, 'a.json'), path.join(dir, 'b.json')], o)).toBe(1);
      expect(o.text).toContain('REGRESSION');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
