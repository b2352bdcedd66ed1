// A suite's findings as blocks of text and tables, written once: report.html and summary.md
// render the same blocks (the phase plan, each load phase's strategies, REFRESH against rows,
// the three known problems with their exact counts, the batch costs).
import type { CheckSnapshot, Results, SuitePhaseResult } from '../harness/results/types.ts';
import { minConsistencyPct, worstExtra, worstLost } from './figures.ts';
import { fmtInt, fmtMs, fmtNum, fmtPct, fmtRatio } from './format.ts';

export interface BlockTable {
  headers: string[];
  rows: string[][];
  /** right-aligned columns */
  numeric?: boolean[];
}

export interface Block {
  /** anchor on the page */
  id: string;
  title: string;
  /** paragraphs of plain text */
  text: string[];
  tables: BlockTable[];
}

const dur = (ms: number | undefined): string => (ms === undefined ? '–' : ms < 60_000 ? `${(ms / 1000).toFixed(0)} s` : `${Math.floor(ms / 60_000)} min ${Math.round((ms % 60_000) / 1000)} s`);

function planBlock(results: Results): Block {
  const suite = results.suite!;
  const took = suite.phases.reduce((a, p) => a + (p.durationMs ?? 0), 0);
  return {
    id: 'suite',
    title: `Suite ${suite.name}: its phases`,
    text: [
      `${suite.description ? `${suite.description}. ` : ''}${suite.phases.length} phases, each with its own schemas, deployed when it ran and dropped before the next; ${dur(took)} in all (estimated ${dur(suite.estimateMs)} before it started). The sections below the claims (latency, drift, cost) show the main phase, ${suite.main ?? '(none)'}.`,
    ],
    tables: [
      {
        headers: ['phase', 'kind', 'what it is', 'decides', 'status', 'estimate', 'took'],
        rows: suite.phases.map((p) => [p.name, p.kind, p.title, p.decides.join(', ') || '–', p.status + (p.reason ? `: ${p.reason}` : ''), dur(p.estimateMs), dur(p.durationMs)]),
        numeric: [false, false, false, false, false, true, true],
      },
    ],
  };
}

function strategiesBlock(p: SuitePhaseResult): Block {
  const s = p.scenario;
  const load = s ? (s.load.kind === 'open' ? `${fmtInt(s.load.rate)} arrivals/s (open model)` : `${s.load.clients} client${s.load.clients === 1 ? '' : 's'}`) : '';
  return {
    id: `phase-${p.name}`,
    title: `Phase ${p.name}: ${p.title}`,
    text: s ? [`${fmtInt(s.data.users)} users × ${fmtInt(s.data.answersPerUser)} answers, ${load}, ${s.phases.durationSeconds} s measured × ${s.rounds} round${s.rounds === 1 ? '' : 's'}, mix ${s.mix.write}/${s.mix.read}/${s.mix.delete} write/read/delete.`] : [],
    tables: [
      {
        headers: ['strategy', 'status', 'writes', 'write p50', 'write p99', 'read p50', 'keys exact', 'lost', 'extra'],
        rows: (p.strategies ?? []).map((x) => [
          x.id,
          x.status + (x.status !== 'ok' && x.reason ? `: ${x.reason.split('\n')[0]}` : ''),
          fmtInt(x.ops.write?.count),
          fmtMs(x.ops.write?.latencyMs.p50),
          fmtMs(x.ops.write?.latencyMs.p99),
          fmtMs(x.ops.read?.latencyMs.p50),
          fmtPct(minConsistencyPct(x.drift)),
          worstLost(x.drift) === undefined ? '–' : fmtInt(worstLost(x.drift)),
          worstExtra(x.drift) === undefined ? '–' : fmtInt(worstExtra(x.drift)),
        ]),
        numeric: [false, false, true, true, true, true, true, true, true],
      },
    ],
  };
}

function refreshBlock(p: SuitePhaseResult): Block {
  const r = p.refresh!;
  const text = [
    `REFRESH MATERIALIZED VIEW${r.concurrently ? ' CONCURRENTLY' : ''} timed ${r.points[0]?.refreshMs.length ?? 0} times at each size, the answers grown between sizes.`,
    r.fit
      ? `Fit: ${fmtMs(r.fit.interceptMs)} + ${fmtMs(r.fit.msPerMillionRows)} per million rows (r² ${fmtNum(r.fit.r2, 3)}). ${r.reaches.rows === null ? `It does not grow with rows: ${r.reaches.ms / 1000} s is never reached.` : `${r.reaches.ms / 1000} s is reached at about ${fmtInt(r.reaches.rows)} rows: a projection beyond the largest size measured (${fmtInt(r.points.at(-1)?.rows)} rows), not a measurement.`}`
      : 'Too few sizes for a fit.',
    r.readers
      ? `Under the refresh job at the largest size: ${fmtInt(r.readers.refreshes)} refreshes, the longest ${fmtMs(r.readers.longestRefreshMs)}; ${fmtInt(r.readers.reads)} reads of the view, the slowest ${fmtMs(r.readers.slowestMs)}: ${r.readers.blocked ? 'a reader waited for a whole REFRESH (its ACCESS EXCLUSIVE lock)' : 'no reader waited for a whole REFRESH'}.`
      : 'Readers were not measured.',
  ];
  return {
    id: 'phase-refresh-scaling',
    title: `Phase ${p.name}: REFRESH against rows`,
    text,
    tables: [{ headers: ['answer rows', 'REFRESH, each timing', 'median'], rows: r.points.map((x) => [fmtInt(x.rows), x.refreshMs.map(fmtMs).join(', '), fmtMs(x.medianMs)]), numeric: [true, false, true] }],
  };
}

function checkRows(label: string, c: CheckSnapshot): string[][] {
  return c.counters.map((k) => [label, k.name, fmtInt(k.sumCounter), fmtInt(k.sumTruth), k.sumTruth ? `${fmtNum(k.sumCounter / k.sumTruth, 3)}×` : '–', fmtInt(k.usersInconsistent), fmtInt(k.lost), fmtInt(k.extra)]);
}
const CHECK_HEADERS = ['when', 'counter', 'counter total', 'answers', 'counter ÷ answers', 'keys off', 'lost', 'extra'];
const CHECK_NUMERIC = [false, false, true, true, true, true, true, true];

function doubleIncrementBlock(p: SuitePhaseResult): Block {
  const d = p.doubleIncrement!;
  const u = d.transition.check.counters[0];
  return {
    id: 'problem-double-increment',
    title: `Problem 1, the double increment (phase ${p.name})`,
    text: [
      `What was done: ${d.migration}'s trigger (Migration 007) was deployed while the application still ran ${d.app}'s manual UPDATEs, the transition the analysis warns about, and ${fmtInt(d.transition.writes)} answers were written from nothing.`,
      `What drifted: every counter counted each answer twice${u ? ` (${u.name}: ${fmtInt(u.sumCounter)} for ${fmtInt(u.sumTruth)} answers)` : ''}. What check reported: ${d.transition.check.consistent ? 'consistent' : `drift on ${d.transition.check.counters.filter((k) => k.usersInconsistent > 0).length} counters`}, shown below.`,
      `Then the manual UPDATE stopped and repair ran: ${fmtInt(d.repair.fixed)} counters set to their truth in one transaction (answer writes held back ${fmtMs(d.repair.lockHeldMs)}); check after it: ${d.afterRepair.consistent ? 'consistent' : 'still drifting'}. The load went on through the trigger alone (${fmtInt(d.after.writes)} more answers): check at the end ${d.after.check.consistent ? 'consistent, no drift' : 'drifting'}.`,
    ],
    tables: [
      { headers: CHECK_HEADERS, rows: [...checkRows('under the manual UPDATE', d.transition.check), ...checkRows('after repair', d.afterRepair), ...checkRows('after more load, trigger alone', d.after.check)], numeric: CHECK_NUMERIC },
      { headers: ['repair: counter', 'rows updated', 'rows created'], rows: d.repair.counters.map((k) => [k.name, fmtInt(k.updated), fmtInt(k.inserted)]), numeric: [false, true, true] },
    ],
  };
}

function slowInsertsBlock(p: SuitePhaseResult): Block {
  const st = p.slowInserts!;
  const waits = (w: Record<string, number>) =>
    Object.entries(w)
      .sort((a, b) => b[1] - a[1])
      .slice(0, 4)
      .map(([k, n]) => `${k} ×${n}`)
      .join(', ') || 'none';
  return {
    id: 'problem-slow-inserts',
    title: `Problem 2, slow inserts (phase ${p.name})`,
    text: [...st.cases.map((c) => `${c.title}: ${c.what}.`), `What the diagnosis showed: ${st.finding}`],
    tables: [
      {
        headers: ['case', 'writes', 'write p50', 'write p99', 'delete p99', 'lost', 'pg_indexes: missing', 'advisory not granted (max; samples with any)', 'advisory held (max)', 'pg_stat_activity waits (backend-samples)', 'samples'],
        rows: st.cases.map((c) => [
          c.title,
          fmtInt(c.writes),
          fmtMs(c.writeP50Ms),
          fmtMs(c.writeP99Ms),
          fmtMs(c.deleteP99Ms),
          fmtInt(c.lost),
          c.diagnosis.indexes.filter((i) => !i.present).map((i) => i.name).join(', ') || 'none',
          `${fmtInt(c.diagnosis.advisoryNotGranted.max)}; ${fmtInt(c.diagnosis.advisoryNotGranted.samples)}`,
          fmtInt(c.diagnosis.advisoryGrantedMax),
          waits(c.diagnosis.activity.waiting),
          fmtInt(c.diagnosis.samples),
        ]),
        numeric: [false, true, true, true, true, true, false, true, true, false, true],
      },
    ],
  };
}

function bypassBlock(p: SuitePhaseResult): Block {
  const b = p.bypass!;
  const ran = b.strategies.filter((s) => s.status === 'ok');
  const cell = (s: (typeof ran)[number], path: string): string => {
    const r = s.paths.find((x) => x.path === path);
    if (!r) return '–';
    if (r.status !== 'ok') return `failed: ${r.reason}`;
    if (r.exact) return `exact (${fmtInt(r.rowsTouched)} rows)`;
    const worst = Object.entries(r.drift).reduce((a, e) => (Math.abs(e[1]) > Math.abs(a[1]) ? e : a));
    return `drift ${worst[1] > 0 ? '+' : ''}${fmtInt(worst[1])} of ${fmtInt(r.rowsTouched)} rows`;
  };
  const healthRows = ran.flatMap((s) =>
    s.paths
      .filter((r) => r.check)
      .map((r) => {
        const off = r.check!.counters.reduce((a, k) => a + k.usersInconsistent, 0);
        const lost = r.check!.counters.reduce((a, k) => Math.max(a, k.lost), 0);
        const extra = r.check!.counters.reduce((a, k) => Math.max(a, k.extra), 0);
        return [s.strategy, r.path, r.check!.consistent ? 'consistent' : `${fmtInt(off)} keys off; lost ${fmtInt(lost)}, extra ${fmtInt(extra)}`, fmtInt(r.repair?.fixed), r.afterRepair?.consistent ? 'consistent' : 'drifting'];
      }),
  );
  return {
    id: 'problem-bypass',
    title: `Problem 3, drift from bypass paths (phase ${p.name})`,
    text: [
      `Each path was taken on every strategy with a trigger of its own on user_answers_new (its triggers from pg_trigger): ${b.paths.map((x) => `${x.title} (\`${x.sql}\`)`).join('; ')}. A path's drift is the change of the counter's total minus the change of the answers (TRUNCATE: the counters against the answers after it); the worst counter is shown.`,
      ...b.strategies.filter((s) => s.status !== 'ok').map((s) => `${s.strategy}: ${s.status}, ${s.reason}.`),
      ...ran.filter((s) => s.healthTool).map((s) => `${s.strategy}: ${s.healthTool}.`),
    ],
    tables: [
      {
        headers: ['strategy', 'its triggers', ...b.paths.map((x) => x.title)],
        rows: ran.map((s) => [s.strategy, s.triggers.map((t) => `${t.timing} ${t.events.join('/')} ${t.level}`).join('; '), ...b.paths.map((x) => cell(s, x.id))]),
      },
      { headers: ['strategy', 'path', 'check reported', 'repair fixed', 'check after repair'], rows: healthRows, numeric: [false, false, false, true, false] },
    ],
  };
}

function batchBlock(p: SuitePhaseResult): Block {
  const b = p.batch!;
  const cols = b.methods.flatMap((m) => b.sizes.map((size) => ({ m, size })));
  return {
    id: 'phase-batch',
    title: `Batch writes (phase ${p.name})`,
    text: [
      `Answers written in ${b.methods.map((m) => (m === 'insert' ? 'multi-row INSERTs' : 'COPY')).join(' and in ')}, inside transactions of ${b.sizes.map(fmtInt).join(', ')} rows (${fmtInt(b.rowsPerCell)} rows per cell, at least one transaction). Each cell: microseconds per row, and that over baseline's in the same cell. A row-level trigger pays once per row, a statement-level one once per statement and user.`,
      ...b.strategies.filter((s) => s.status !== 'ok').map((s) => `${s.strategy}: ${s.status}${s.reason ? `, ${s.reason}` : ''}.`),
    ],
    tables: [
      {
        headers: ['strategy', 'counting', ...cols.map((c) => `${c.m} × ${fmtInt(c.size)}`), 'exact after'],
        rows: b.strategies
          .filter((s) => s.status === 'ok')
          .map((s) => [
            s.strategy,
            s.counting,
            ...cols.map((c) => {
              const x = s.cells.find((y) => y.method === c.m && y.size === c.size);
              return x ? `${fmtNum(x.usPerRow, 3)} µs${x.vsBaseline !== null && s.strategy !== 'baseline' ? ` (${fmtRatio(x.vsBaseline)})` : ''}` : '–';
            }),
            s.exact === null ? '–' : s.exact ? 'yes' : `no: lost ${fmtInt(s.lost)}, extra ${fmtInt(s.extra)}`,
          ]),
        numeric: [false, false, ...cols.map(() => true), false],
      },
    ],
  };
}

/** Every block of a suite's results, in the order of its phases; none for a plain run. */
export function suiteBlocks(results: Results): Block[] {
  if (!results.suite) return [];
  const out = [planBlock(results)];
  for (const p of results.suite.phases) {
    if (p.status !== 'ok' && p.status !== 'interrupted') continue;
    if (p.refresh) out.push(refreshBlock(p));
    if (p.doubleIncrement) out.push(doubleIncrementBlock(p));
    else if (p.slowInserts) out.push(slowInsertsBlock(p));
    else if (p.bypass) out.push(bypassBlock(p));
    else if (p.batch) out.push(batchBlock(p));
    if (p.strategies?.length && p.kind !== 'double-increment' && p.kind !== 'slow-inserts') out.push(strategiesBlock(p));
  }
  return out;
}
