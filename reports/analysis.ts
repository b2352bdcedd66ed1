// The Selfology counter analysis (seed/README.md) as data: each claim it makes, with the figures
// it gives written once, and its decision matrix, whose claimed cells name those claims. From
// this one table come the claims check (reports/claims.ts), the decision matrix of the reports,
// and the figures `counterbench micro` prints beside its own (harness/micro/claims.ts). It is
// plain data (no functions), so that it can travel in results.json as it is.
import type { StrategyId } from '../harness/strategies/registry.ts';

/** One figure, or a range lo-hi. */
export type Figure = number | readonly [number, number];

export type ClaimTopic = 'write latency' | 'consistency' | 'read latency' | 'blocking' | 'races' | 'deployability' | 'scale';

/** How the run's figures decide a claim, with the document's figures. */
export type ClaimRule =
  /** a latency per write on an idle system; a single figure allows the rounding it implies */
  | { kind: 'write-latency'; ms: Figure }
  /** keys exact after the jobs drained: within the range, or at least a single figure */
  | { kind: 'consistency'; pct: Figure }
  /** races between writes of one user: the document says some increments are lost, or none */
  | { kind: 'lost-updates'; expect: 'some' | 'none' }
  /** the median read at the document's data size: `ms` the range it gives, `quotedMs` and `qps`
   *  its single measurement */
  | { kind: 'read-latency'; ms: Figure; quotedMs: number; qps: number; answersPerUser: number }
  /** how much slower a read is than a read of `against`'s counter row (the first that ran) */
  | { kind: 'read-ratio'; ms: readonly [slow: number, fast: number]; against: readonly StrategyId[]; answersPerUser: number }
  /** the longest REFRESH at least this long, growing with the data */
  | { kind: 'refresh-blocks'; minMs: number; answersPerUser: number }
  /** Postgres refuses the strategy's DDL */
  | { kind: 'not-deployable' }
  /** write p99 under the line across the range of users */
  | { kind: 'scale'; writeP99Ms: number; users: readonly [number, number] };

export interface AnalysisClaim {
  /** stable: results.json's claims[] and tests name claims by it */
  id: string;
  topic: ClaimTopic;
  /** the strategies it is about; the first is the one whose figures decide it */
  strategies: readonly StrategyId[];
  /** what the document says; {name} is a figure of the rule, written in the rule only */
  says: string;
  rule: ClaimRule;
}

// Figures the document gives in more than one claim.
const ANSWERS_PER_USER = 100_000; // its benchmark table's data size
const COUNT_STAR_READ_MS = 127;
const COUNTER_ROW_READ_MS = 0.1;

export const ANALYSIS_CLAIMS = [
  {
    id: 'manual-write-latency',
    topic: 'write latency',
    strategies: ['manual-update'],
    says: 'Manual UPDATE: write latency {ms}.',
    rule: { kind: 'write-latency', ms: [0.3, 0.5] },
  },
  {
    id: 'trigger-write-latency',
    topic: 'write latency',
    strategies: ['trigger-upsert'],
    says: 'Trigger + UPSERT: write latency {ms}.',
    rule: { kind: 'write-latency', ms: [0.5, 1] },
  },
  {
    id: 'event-driven-write-latency',
    topic: 'write latency',
    strategies: ['redis-queue'],
    says: 'Event-driven (Redis queue): write latency {ms}.',
    rule: { kind: 'write-latency', ms: 0.08 },
  },
  {
    id: 'manual-consistency',
    topic: 'consistency',
    strategies: ['manual-update'],
    says: 'Manual UPDATE: {pct} consistent.',
    rule: { kind: 'consistency', pct: [70, 85] },
  },
  {
    id: 'trigger-consistency',
    topic: 'consistency',
    strategies: ['trigger-upsert'],
    says: 'Trigger + UPSERT: {pct} consistent ("ACID").',
    rule: { kind: 'consistency', pct: 100 },
  },
  {
    id: 'event-driven-consistency',
    topic: 'consistency',
    strategies: ['redis-queue'],
    says: 'Event-driven (Redis queue): {pct} consistent (eventual).',
    rule: { kind: 'consistency', pct: 99.9 },
  },
  {
    id: 'manual-race',
    topic: 'races',
    strategies: ['manual-update'],
    says: 'Manual UPDATE loses increments under concurrency: "two threads read 5, both write 6".',
    rule: { kind: 'lost-updates', expect: 'some' },
  },
  {
    id: 'production-trigger-no-lost-updates',
    topic: 'races',
    strategies: ['production-trigger'],
    says: 'Migration 007 (trigger with pg_try_advisory_xact_lock) has "no lost updates": a second transaction waits for the lock.',
    rule: { kind: 'lost-updates', expect: 'none' },
  },
  {
    id: 'count-star-127ms',
    topic: 'read latency',
    strategies: ['count-star'],
    says: 'COUNT(*) per read: {quotedMs} per query ({qps} qps) at {answersPerUser} answers per user; {ms} at large volume.',
    rule: { kind: 'read-latency', ms: [50, 200], quotedMs: COUNT_STAR_READ_MS, qps: 7, answersPerUser: ANSWERS_PER_USER },
  },
  {
    id: 'count-star-1270x',
    topic: 'read latency',
    strategies: ['count-star', 'trigger-upsert'],
    says: 'COUNT(*) is {ratio} slower to read than a trigger-maintained counter ({ms}).',
    rule: { kind: 'read-ratio', ms: [COUNT_STAR_READ_MS, COUNTER_ROW_READ_MS], against: ['trigger-upsert', 'production-trigger'], answersPerUser: ANSWERS_PER_USER },
  },
  {
    id: 'mv-refresh-blocks',
    topic: 'blocking',
    strategies: ['materialized-view'],
    says: 'REFRESH MATERIALIZED VIEW "blocks for {minMs}" and slows with data.',
    rule: { kind: 'refresh-blocks', minMs: 10_000, answersPerUser: ANSWERS_PER_USER },
  },
  {
    id: 'generated-column-impossible',
    topic: 'deployability',
    strategies: ['generated-column'],
    says: 'A generated column cannot hold the counter: generated columns allow no subqueries.',
    rule: { kind: 'not-deployable' },
  },
  {
    id: 'trigger-scale',
    topic: 'scale',
    strategies: ['trigger-upsert'],
    says: 'The trigger fits {users} users; insert p99 stays under {writeP99Ms} (the yellow zone starts above).',
    rule: { kind: 'scale', writeP99Ms: 50, users: [1000, 100_000] },
  },
] as const satisfies readonly AnalysisClaim[];

export type ClaimId = (typeof ANALYSIS_CLAIMS)[number]['id'];

/** One row of the document's decision matrix. A claimed cell is text in which {claim-id} stands
 *  for that claim's headline figure. */
export interface MatrixEntry {
  variant: string;
  strategy: StrategyId;
  name: string;
  writeLatency: string;
  consistency: string;
  scale: string;
  verdict: string;
}

export const ANALYSIS_MATRIX: readonly MatrixEntry[] = [
  { variant: '1', strategy: 'manual-update', name: 'Manual UPDATE in the app', writeLatency: '{manual-write-latency}', consistency: '{manual-consistency}', scale: 'up to 1K users', verdict: 'not for production' },
  { variant: '2', strategy: 'trigger-upsert', name: 'Trigger + UPSERT (Migration 004)', writeLatency: '{trigger-write-latency}', consistency: '{trigger-consistency}', scale: 'up to 100K users', verdict: 'recommended' },
  { variant: '007', strategy: 'production-trigger', name: 'Migration 007 trigger, advisory lock', writeLatency: '{trigger-write-latency}', consistency: '{trigger-consistency}, "no lost updates"', scale: '100-1K users today, up to 100K', verdict: 'production-ready' },
  { variant: '3', strategy: 'materialized-view', name: 'Materialized view + REFRESH', writeLatency: '–', consistency: 'eventual', scale: 'REFRESH blocks {mv-refresh-blocks}', verdict: 'analytics only' },
  { variant: '4', strategy: 'generated-column', name: 'Generated column with subquery', writeLatency: 'n/a', consistency: 'n/a', scale: 'n/a', verdict: 'does not work' },
  { variant: '5', strategy: 'count-star', name: 'COUNT(*) on every read', writeLatency: '– (read {count-star-127ms})', consistency: 'always exact', scale: 'does not scale', verdict: 'admin tools only' },
  { variant: '6', strategy: 'redis-queue', name: 'Event-driven: Redis queue + sync', writeLatency: '{event-driven-write-latency}', consistency: '{event-driven-consistency} (1-60 s delay)', scale: 'millions of users', verdict: 'only above 5000 inserts/s' },
];

// ---- figures as text ----------------------------------------------------------------------------

const num = (n: number): string => (n >= 1000 && n % 1000 === 0 ? `${n / 1000}K` : String(n));

export function figureText(f: Figure, unit: string): string {
  const sep = unit === '%' ? '' : ' ';
  return typeof f === 'number' ? `${num(f)}${sep}${unit}` : `${num(f[0])}-${num(f[1])}${sep}${unit}`;
}


/** Each figure of a rule by its name in `says`, as the document writes it. */
export function ruleFigures(rule: ClaimRule): Record<string, string> {
  switch (rule.kind) {
    case 'write-latency':
      return { ms: figureText(rule.ms, 'ms') };
    case 'consistency':
      return { pct: figureText(rule.pct, '%') };
    case 'read-latency':
      return { ms: figureText(rule.ms, 'ms'), quotedMs: figureText(rule.quotedMs, 'ms'), qps: String(rule.qps), answersPerUser: num(rule.answersPerUser) };
    case 'read-ratio':
      return { ratio: `${Math.round(rule.ms[0] / rule.ms[1])}x`, ms: `${figureText(rule.ms[0], 'ms')} vs ${figureText(rule.ms[1], 'ms')}` };
    case 'refresh-blocks':
      return { minMs: `${rule.minMs / 1000}+ seconds`, minS: `${rule.minMs / 1000}+ s` };
    case 'scale':
      return { users: figureText(rule.users, '').trim(), writeP99Ms: figureText(rule.writeP99Ms, 'ms') };
    default:
      return {};
  }
}

/** The one figure a claim is known by (the decision matrix shows it). */
export function headlineFigure(c: AnalysisClaim): string {
  const f = ruleFigures(c.rule);
  switch (c.rule.kind) {
    case 'write-latency':
    case 'read-latency':
      return f.ms;
    case 'consistency':
      return f.pct;
    case 'read-ratio':
      return f.ratio;
    case 'refresh-blocks':
      return f.minS;
    case 'scale':
      return `${f.users} users`;
    default:
      return '';
  }
}

function fill(template: string, values: Record<string, string>, what: string): string {
  return template.replace(/\{([a-zA-Z0-9-]+)\}/g, (_, k: string) => {
    if (!(k in values)) throw new Error(`${what}: no figure {${k}}`);
    return values[k];
  });
}

/** The claim as the document words it, its figures filled in. */
export function claimText(c: AnalysisClaim): string {
  return fill(c.says, ruleFigures(c.rule), `claim ${c.id}`);
}

export function analysisClaim(id: ClaimId): AnalysisClaim {
  return ANALYSIS_CLAIMS.find((c) => c.id === id)!;
}

const HEADLINES: Record<string, string> = Object.fromEntries(ANALYSIS_CLAIMS.map((c) => [c.id, headlineFigure(c)]));

/** A claimed cell of the matrix with the figures of the claims it names. */
export function matrixCell(template: string): string {
  return fill(template, HEADLINES, 'decision matrix');
}

/** The figure the document claims for one strategy's write or read, where it gives one. */
export function claimedOpFigure(strategy: string, op: 'write' | 'read'): string | undefined {
  for (const c of ANALYSIS_CLAIMS as readonly AnalysisClaim[]) {
    if (c.strategies[0] !== strategy) continue;
    if (op === 'write' && c.rule.kind === 'write-latency') return headlineFigure(c);
    // the document's per-read figure is for its data size, far more than micro seeds
    if (op === 'read' && c.rule.kind === 'read-latency') return `${headlineFigure(c)} at ${num(c.rule.answersPerUser)} answers/user`;
  }
  return undefined;
}
