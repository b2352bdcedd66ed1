// Interleavings in report.html and summary.md, and the proof the claims will cite: the shortest
// failing order of each strategy drawn as a timeline (a column per session, the wait and the loss
// marked), a strategy with none said to have none with what that covers, every string escaped.
import { describe, expect, it } from 'vitest';
import { renderHtml } from '../reports/html/render.ts';
import { renderMarkdown } from '../reports/markdown.ts';
import { interleavingProof } from '../harness/interleave/proof.ts';
import { buildResults } from './reports-fixture.ts';
import { interleavingsFixture } from './support/interleave-fixture.ts';
import type { Results } from '../harness/results/types.ts';

function withInterleavings(edit?: (r: Results) => void): Results {
  return buildResults((r) => {
    r.interleavings = interleavingsFixture();
    edit?.(r);
  });
}

function chartSpec(html: string, id: string): Record<string, unknown> {
  const json = /<script type="application\/json" id="chart-specs">([\s\S]*?)<\/script>/.exec(html)![1];
  const charts = JSON.parse(json) as Array<{ id: string; spec: Record<string, unknown> }>;
  return charts.find((c) => c.id === id)!.spec;
}

describe('the proof of a strategy', () => {
  it('is its shortest failing order, a wrong counter before an error, or none with what was tried', () => {
    const r = withInterleavings();
    const p = interleavingProof(r, 'production-trigger')!;
    expect(p.shortest!.order).toEqual(['s1:BEGIN', 's1:write', 's2:BEGIN', 's2:write', 's1:COMMIT', 's2:COMMIT']);
    expect(p.evidence).toBe(
      'this interleaving loses an increment every time: s1 BEGIN, s1 write, s2 BEGIN, s2 write, s1 COMMIT, s2 COMMIT (spec two-inserts, read committed; 12 of 20 permutations of it failed).',
    );
    expect(interleavingProof(r, 'trigger-upsert')!.evidence).toMatch(/^this interleaving fails with SQLSTATE 40001 every time/);
    const none = interleavingProof(r, 'count-star')!;
    expect(none).toMatchObject({ failing: 0, permutationsRun: 20 });
    expect(none.shortest).toBeUndefined();
    expect(none.evidence).toBe(
      'no failing permutation among 20 tried (two-inserts; read committed). That covers only these statements at this isolation level, one user at a time: not other statements, levels or data.',
    );
    expect(interleavingProof(r, 'materialized-view')!.evidence).toContain('Every counter ended exact, but in 1 of them a reader saw a count off what its own snapshot held.');
    expect(interleavingProof(r, 'baseline')).toBeUndefined();
    expect(interleavingProof(r, 'production-trigger', 'insert-vs-delete')).toBeUndefined();
  });
});

describe('report.html', () => {
  it('has an Interleavings section after the drift, with a timeline for each strategy that failed or read off', () => {
    const html = renderHtml(withInterleavings());
    const ids = [...html.matchAll(/<section id="([^"]+)"/g)].map((m) => m[1]);
    expect(ids.indexOf('interleavings')).toBe(ids.indexOf('drift') + 1);
    expect(html).toContain('<a href="#interleavings">Interleavings</a>');
    const section = /<section id="interleavings"[\s\S]*?<\/section>/.exec(html)![0];
    for (const id of ['production-trigger', 'trigger-upsert', 'materialized-view']) expect(section).toContain(`id="chart-interleaving-${id}"`);
    expect(section).not.toContain('chart-interleaving-count-star');
    expect(section).toContain('no failing permutation');
    expect(section).toContain('That covers only these statements at this isolation level');
    expect(section).toContain('14 <span class="muted">(+6 impossible)</span>');
    // the steps as sent, in full
    expect(section).toContain('<code>INSERT INTO user_answers_new (session_id, question_json_id, raw_answer, answer_length) VALUES ($1, $2, $3, $4) RETURNING id</code>');
  });

  it("draws 007's race: a column per session, the second INSERT marked as where the increment was lost", () => {
    const spec = chartSpec(renderHtml(withInterleavings()), 'chart-interleaving-production-trigger') as { layer: Array<{ data: { values: Array<Record<string, unknown>> } }> };
    const rows = spec.layer.flatMap((l) => l.data.values).filter((v) => 'label' in v && 'row' in v);
    const lost = rows.find((v) => v.marked === 'lost here')!;
    expect(lost).toMatchObject({ row: 4, session: 's2', label: 'INSERT INTO user_answers_new', note: '◀ s2: lost here' });
    expect(lost.drift).toBe('0 (own view −1)');
    expect(rows.find((v) => v.row === 6)!.drift).toBe('−1');
    const headers = spec.layer[1].data.values.map((v) => v.label);
    expect(headers).toEqual(['s1', 's2', 'committed counter − COUNT(*)']);
  });

  it('draws a wait as a bar from the step that waited to the one that released it', () => {
    const spec = chartSpec(renderHtml(withInterleavings()), 'chart-interleaving-trigger-upsert') as { layer: Array<{ data: { values: Array<Record<string, unknown>> } }> };
    const waits = spec.layer[2].data.values;
    expect(waits).toEqual([expect.objectContaining({ row: 4, until: 5, who: 's1', session: 's2' })]);
  });

  it('escapes every string of the interleavings', () => {
    const html = renderHtml(
      withInterleavings((r) => {
        r.interleavings![0].title = '<img src=x onerror=alert(1)>';
        r.interleavings![0].failing[0].steps[3].sent = ['SELECT 1 </script><script>alert(2)</script>'];
      }),
    );
    expect(html).not.toContain('<img src=x');
    expect(html).not.toContain('<script>alert(2)');
    expect(html).toContain('&lt;img src=x onerror=alert(1)&gt;');
  });

  it('says so when no interleaving was run', () => {
    const html = renderHtml(buildResults());
    expect(/<section id="interleavings"[\s\S]*?<\/section>/.exec(html)![0]).toContain('No interleaving was run');
  });
});

describe('summary.md', () => {
  it('lists every spec and draws each timeline as a table with a column per session', () => {
    const md = renderMarkdown(withInterleavings());
    expect(md).toContain('## Interleavings');
    expect(md).toContain('| `production-trigger` | `two-inserts` | read committed | 20 | 12 | exact ×8, lost 1 ×12 |');
    expect(md).toContain('| `baseline` | – |  |  |  | skipped: it keeps no counter: there is nothing an interleaving could lose |');
    expect(md).toContain('| # | s1 | s2 | counter − COUNT(*), committed |');
    expect(md).toContain('| 4 |  | **INSERT INTO user_answers_new *(own view: counters −1; the increment is lost here)*** | 0 |');
    expect(md).toContain('| 4 |  | INSERT INTO user_answers_new *(waits for s1 until step 5 (s1 COMMIT); error 40001: could not serialize access due to concurrent update)* | 0 |');
    expect(md).toContain('The shortest of them (read-during-write): this interleaving keeps every counter exact, but a reader in it sees the count 1 below');
    expect(renderMarkdown(buildResults())).not.toContain('## Interleavings');
  });
});
