// Two runs side by side, with statistics rather than single numbers: every figure a run measured
// in each round is compared as two samples (the bootstrap interval of the difference of medians,
// reports/compare-stats.ts), and a change is a regression only when it is significant and beyond
// the threshold. Extensive server figures are compared per write or per second
// (compare-figures.ts), drift against what the ledger explains (compare-drift.ts), and across
// environments only the ratios to baseline (compare-environment.ts).
import type { ClaimStatus, Results, StrategyResult } from '../harness/results/types.ts';
import { claimsOf } from './claims.ts';
import { fmtChange, fmtFigure, fmtMs, fmtNum, fmtPct, fmtRate, fmtRatio } from './format.ts';
import { stripUrls } from './safe-text.ts';
import { bootstrapMedianDifference, DEFAULT_CONFIDENCE, DEFAULT_RESAMPLES, DEFAULT_SEED, isTooFew, MIN_SAMPLES } from './compare-stats.ts';
import { figuresOf, type Direction, type FigureKind, type FigureSource, type Normalization } from './compare-figures.ts';
import { driftChanges, type DriftChange } from './compare-drift.ts';
import { describeDifferences, environmentDifferences, type EnvironmentDifference } from './compare-environment.ts';

export type { Direction, FigureKind, DriftChange };

/** What compare says of one figure:
 *  - regression / improvement: significant, with the whole interval beyond the threshold
 *    (significantly larger than it);
 *  - within threshold: significant, but the interval reaches below the threshold;
 *  - no significant change: the interval holds 0;
 *  - too few samples: the test cannot decide;
 *  - new / gone: measured in one run only;
 *  - not compared: the environments differ;
 *  - changed, not judged: an absolute figure whose interval excludes 0, without --absolute (or
 *    with baseline itself moved);
 *  - not judged: one value per run (shown, not tested), or a figure without a better direction. */
export type Verdict =
  | 'regression'
  | 'improvement'
  | 'within threshold'
  | 'no significant change'
  | 'too few samples'
  | 'new'
  | 'gone'
  | 'not compared'
  | 'changed, not judged'
  | 'not judged';

export interface FigureChange {
  strategy: string;
  /** dotted name, e.g. ops.write.latencyMs.p99 */
  figure: string;
  kind: FigureKind;
  direction: Direction;
  /** the median of A's samples (or A's one value) */
  a: number | null;
  b: number | null;
  /** b − a */
  delta: number | null;
  /** (b − a) / |a| × 100; null when a is 0 or either side is missing */
  changePct: number | null;
  /** worse, with the whole interval beyond the threshold */
  regression: boolean;
  /** better, with the whole interval beyond the threshold */
  improvement: boolean;
  verdict: Verdict;
  /** rounds: one sample per round, tested; single: one value per run; search: a capacity knee */
  basis: 'rounds' | 'single' | 'search';
  /** the bootstrap interval of the difference of medians, also as % of A's median */
  interval?: { low: number; high: number; lowPct: number | null; highPct: number | null; confidence: number };
  /** the samples the test used, per round */
  samples?: { a: number[]; b: number[] };
  /** an extensive server figure, divided by the phase's writes or seconds */
  normalized?: Normalization;
  /** why it was not tested, or what the test needs */
  note?: string;
}

export interface RunSide {
  runId: string;
  startedAt: string;
  scenario: string;
  rounds: number;
}

export interface StatusChange {
  strategy: string;
  a: string;
  b: string;
  regression: boolean;
}

/** A claim of the analysis whose verdict differs between the two runs. */
export interface ClaimChange {
  id: string;
  a: ClaimStatus;
  b: ClaimStatus;
  /** the phase that decided it in each run */
  phaseA: string | null;
  phaseB: string | null;
}

export interface Comparison {
  thresholdPct: number;
  /** how changes were tested */
  method: { test: string; confidence: number; resamples: number; seed: number; minSamples: number };
  a: RunSide;
  b: RunSide;
  /** environment fields that differ; when some do and sameEnvironment is false, only the ratios
   *  to baseline (and drift) are judged; when the only difference is that baseline itself moved,
   *  everything but absolute latency and throughput is */
  environment: { differences: EnvironmentDifference[]; sameEnvironment: boolean; judged: 'everything' | 'ratios to baseline' | 'all but absolute latency and throughput' };
  /** absolute latency and throughput judged too (--absolute) */
  absolute: boolean;
  figures: FigureChange[];
  regressions: FigureChange[];
  drift: DriftChange[];
  statusChanges: StatusChange[];
  /** claims whose verdict changed from A to B (flagged; a verdict is not a figure with a
   *  direction, so a change is shown, not counted as a regression) */
  claimChanges: ClaimChange[];
  onlyInA: string[];
  onlyInB: string[];
  /** when the runs have too few rounds to test anything: what they need */
  tooFewSamples?: string;
  /** figures the test decided (an interval from both runs' rounds) and capacity knees compared */
  tested: number;
  /** when nothing was tested: why (no rounds, too few, nothing judged across environments) */
  untested?: string;
  /** differences that make the two runs hard to compare (scenario, machine) */
  caveats: string[];
}

export interface CompareOptions {
  /** percent; a significant change worse by more than this is a regression (default 10) */
  thresholdPct?: number;
  /** judge every figure even when the environments differ */
  sameEnvironment?: boolean;
  /** judge absolute latency and throughput too (a quiet machine of its own): on a shared one they
   *  follow the other processes' load, which differs between two runs more than between rounds */
  absolute?: boolean;
  seed?: number;
}

export const DEFAULT_THRESHOLD_PCT = 10;
/** error rates are compared in percentage points: more than this many more is a regression
 *  (the capacity search's own line for errors) */
export const ERROR_RATE_LINE_PP = 0.1;

const TEST_NAME = 'percentile bootstrap of the difference of medians over per-round samples';

interface Judging {
  thresholdPct: number;
  /** another machine or server: only what is measured against baseline in the same round travels */
  ratiosOnly: boolean;
  /** the same machine in another state (baseline itself moved): its load is in every absolute
   *  latency and throughput, while per-write costs, error rates and ratios do not follow load */
  baselineMoved: boolean;
  absolute: boolean;
  seed: number;
}

/** Figures that follow the machine's state as much as the code, judged only with --absolute:
 *  absolute latency and throughput (the other processes' load), and WAL bytes per write (the
 *  full-page images after each checkpoint, which falls in one run and not in the other: +68 %
 *  between two identical ci-gate runs here, while dead tuples per write moved 0.01 %). */
const ABSOLUTE_KINDS = new Set<FigureKind>(['latency', 'throughput']);
const MACHINE_STATE_FIGURES = new Set(['server.walBytesPerWrite']);

function pctOf(x: number, a: number): number | null {
  return a !== 0 ? (x / Math.abs(a)) * 100 : x === 0 ? 0 : null;
}

/** A significant change judged by its interval alone. Its direction is the side of 0 the interval
 *  lies on (the point estimate is only one of the medians, and need not fall inside the
 *  percentile interval), and the interval's bound nearest to 0 must be beyond the threshold: the
 *  change is significantly larger than the threshold, not only significantly different from 0.
 *  Two runs on a shared machine differ by more than their rounds do (the other processes' load
 *  moves between them), and this is what keeps that from crying wolf. From A's median of 0 there
 *  is no percentage: the near bound must then pass the threshold as a share of one unit of the
 *  figure (0.1 at 10 %: a tenth of a dead tuple per write), or any tiny move from 0 would count. */
export function judgeInterval(
  r: { low: number; high: number },
  a: number,
  f: { kind: FigureKind; direction: Direction },
  thresholdPct: number,
): { worse: boolean; beyond: boolean } {
  const up = r.low > 0;
  const worse = f.direction === 'lower-is-better' ? up : !up;
  const near = up ? r.low : -r.high;
  if (f.kind === 'errors') return { worse, beyond: near > ERROR_RATE_LINE_PP };
  if (a === 0) return { worse, beyond: near > thresholdPct / 100 };
  return { worse, beyond: (near / Math.abs(a)) * 100 > thresholdPct };
}

function change(strategy: string, x: FigureSource | undefined, y: FigureSource | undefined, j: Judging): FigureChange {
  const base = (x ?? y)!;
  const av = x?.value ?? null;
  const bv = y?.value ?? null;
  const delta = av !== null && bv !== null ? bv - av : null;
  const changePct = delta !== null && av !== null ? pctOf(delta, av) : null;
  const out: FigureChange = {
    strategy, figure: base.figure, kind: base.kind, direction: base.direction, a: av, b: bv, delta, changePct,
    regression: false, improvement: false, verdict: 'not judged', basis: x?.samples && y?.samples ? 'rounds' : 'single',
    ...(base.normalized ? { normalized: base.normalized } : {}),
  };
  if (av === null || bv === null) {
    // present in one run only: shown, never a regression by itself
    out.verdict = av === null ? 'new' : 'gone';
    return out;
  }
  if (j.ratiosOnly && base.kind !== 'cost-ratio') {
    out.verdict = 'not compared';
    out.note = 'the environments differ: only the ratios to baseline are judged';
    return out;
  }
  if (base.direction === 'neutral') return out;
  const machineMoved = j.baselineMoved && ABSOLUTE_KINDS.has(base.kind);
  const judged = !machineMoved && (j.absolute || !(ABSOLUTE_KINDS.has(base.kind) || MACHINE_STATE_FIGURES.has(base.figure)));
  if (!x?.samples || !y?.samples) {
    out.note = 'one value per run: shown, not tested';
    return out;
  }
  out.samples = { a: x.samples, b: y.samples };
  const r = bootstrapMedianDifference(x.samples, y.samples, { seed: j.seed });
  if (isTooFew(r)) {
    out.verdict = 'too few samples';
    out.note = `too few samples: needs ${r.needs} rounds (A has ${r.n.a}, B has ${r.n.b})`;
    return out;
  }
  out.interval = { low: r.low, high: r.high, lowPct: pctOf(r.low, av), highPct: pctOf(r.high, av), confidence: r.confidence };
  if (!r.significant) {
    out.verdict = 'no significant change';
    return out;
  }
  if (!judged) {
    out.verdict = 'changed, not judged';
    out.note = machineMoved
      ? 'baseline itself moved, so the machine\'s load did: the ratios to baseline are judged (--same-environment --absolute judges this too)'
      : 'follows the machine\'s state as much as the code: the ratios to baseline are judged (--absolute judges this too)';
    return out;
  }
  const { worse, beyond } = judgeInterval(r, av, base, j.thresholdPct);
  if (!beyond) out.verdict = 'within threshold';
  else if (worse) {
    out.verdict = 'regression';
    out.regression = true;
  } else {
    out.verdict = 'improvement';
    out.improvement = true;
  }
  return out;
}

/** A capacity search's knees, per strategy, data size and SLO line; a knee below the lowest rate
 *  tried counts as 0, a search that measured nothing is left out. */
function kneesOf(r: Results): Map<string, { strategy: string; figure: string; value: number; lowerBound: boolean }> {
  const out = new Map<string, { strategy: string; figure: string; value: number; lowerBound: boolean }>();
  for (const s of r.capacity?.searches ?? []) {
    if (!s.steps.length) continue;
    for (const k of s.knees) {
      const figure = `capacity.knee.${s.users}users.p99<=${k.sloP99Ms}ms`;
      out.set(`${s.strategy} ${figure}`, { strategy: s.strategy, figure, value: k.rate ?? 0, lowerBound: k.lowerBound });
    }
  }
  return out;
}

/** Knees that moved: higher is better, and one that fell by more than the threshold regresses. A
 *  knee is one value per search (the search's bisection has its own tolerance), so the threshold
 *  alone decides, as before. */
function capacityChanges(a: Results, b: Results, thresholdPct: number, caveats: string[]): FigureChange[] {
  const ka = kneesOf(a);
  const kb = kneesOf(b);
  const out: FigureChange[] = [];
  for (const [key, x] of ka) {
    const y = kb.get(key);
    if (!y) continue;
    const delta = y.value - x.value;
    const changePct = pctOf(delta, x.value);
    const beyond = delta !== 0 && (changePct === null || Math.abs(changePct) > thresholdPct);
    const regression = beyond && delta < 0;
    const improvement = beyond && delta > 0;
    out.push({
      strategy: x.strategy, figure: x.figure, kind: 'capacity', direction: 'higher-is-better', a: x.value, b: y.value, delta, changePct,
      regression, improvement, verdict: regression ? 'regression' : improvement ? 'improvement' : 'within threshold', basis: 'search',
    });
    if ((regression || improvement) && (x.lowerBound || y.lowerBound)) {
      caveats.push(`${x.strategy} ${x.figure}: ${x.lowerBound ? 'A' : 'B'}'s knee is a lower bound (harness, budget or ceiling), so the move may be the harness's`);
    }
  }
  return out;
}

function side(r: Results): RunSide {
  return { runId: r.run.id, startedAt: r.run.startedAt, scenario: r.run.scenario?.name ?? '', rounds: Math.max(0, ...r.strategies.map((s) => s.rounds?.length ?? 0)) };
}

function caveatsOf(a: Results, b: Results): string[] {
  const out: string[] = [];
  const sa = JSON.stringify({ ...a.run.scenario, name: undefined, description: undefined });
  const sb = JSON.stringify({ ...b.run.scenario, name: undefined, description: undefined });
  if (sa !== sb) out.push('the two runs used different scenarios (load, data or options differ)');
  const ea = a.run.environment;
  const eb = b.run.environment;
  // the full version strings (the first line names the difference that limits the judging)
  if (ea?.postgres?.version !== eb?.postgres?.version) out.push(`Postgres differs: ${ea?.postgres?.version} vs ${eb?.postgres?.version}`);
  if (ea?.memoryBytes !== eb?.memoryBytes) out.push('the machines have different memory');
  if (a.run.interrupted || b.run.interrupted) out.push('a run was interrupted: its figures are partial');
  const ia = ea?.containers?.postgres?.image;
  const ib = eb?.containers?.postgres?.image;
  if (ia !== ib) out.push(`Postgres images differ: ${ia ?? `none (${ea?.target})`} vs ${ib ?? `none (${eb?.target})`}`);
  for (const [side, r] of [['A', a], ['B', b]] as const) {
    const v = r.versions?.entries;
    if (v?.length) out.push(`${side} is a matrix across ${v.map((e) => e.image).join(', ')}: its figures are those of ${v.find((e) => e.strategies?.length)?.image ?? 'none'}; compare the versions' own results.json for the others`);
  }
  return out.map(stripUrls);
}

/** Tested: the bootstrap gave an interval from both runs' rounds, or a capacity knee was held
 *  against the threshold. A figure shown once per run is not, whatever its numbers say. */
function testedCount(figures: FigureChange[]): number {
  return figures.filter((f) => f.interval || f.basis === 'search').length;
}

/** Why no figure was tested, when none was: the first cause that applies. */
function untestedReason(figures: FigureChange[], a: RunSide, b: RunSide, ratiosOnly: boolean): string | undefined {
  if (testedCount(figures) > 0) return undefined;
  const noRounds = [a.rounds ? '' : 'A', b.rounds ? '' : 'B'].filter(Boolean);
  if (noRounds.length) {
    const who = noRounds.length === 2 ? 'the runs have' : `${noRounds[0]} has`;
    return `${who} no rounds (results of verify or import k6, or a file from before rounds were kept), and compare tests rounds`;
  }
  if (figures.some((f) => f.verdict === 'too few samples')) return `too few rounds: the test needs ${MIN_SAMPLES} per run (A has ${a.rounds}, B has ${b.rounds})`;
  if (ratiosOnly) return 'the environments differ and no ratio to baseline was measured in both runs';
  return 'no figure was measured in every round of both runs';
}

/** What the runs need when a test could not decide for lack of rounds. */
function tooFewSamples(figures: FigureChange[], a: RunSide, b: RunSide): string | undefined {
  if (!figures.some((f) => f.verdict === 'too few samples')) return undefined;
  return (
    `too few samples to decide: the test needs ${MIN_SAMPLES} rounds per run (A has ${a.rounds}, B has ${b.rounds}); ` +
    `set rounds: ${MIN_SAMPLES} or more in the scenario (rounds of a few seconds are enough: the built-in ci-gate has 6 of 1.5 s)`
  );
}

/** The control: baseline's own write throughput or mean latency changed significantly beyond the
 *  threshold. Nothing a strategy does touches the bare INSERT, so that is the machine or the
 *  server, and the same move is in every strategy's absolute figures. */
function baselineMoved(a: Results, b: Results, thresholdPct: number, seed: number): EnvironmentDifference | undefined {
  const ba = a.strategies.find((s) => s.id === 'baseline' && s.status === 'ok');
  const bb = b.strategies.find((s) => s.id === 'baseline' && s.status === 'ok');
  if (!ba || !bb) return undefined;
  const fa = figuresOf(a, ba);
  const fb = figuresOf(b, bb);
  for (const name of ['ops.write.throughput', 'ops.write.latencyMs.mean']) {
    const x = fa.find((f) => f.figure === name);
    const y = fb.find((f) => f.figure === name);
    if (x?.value === undefined || y?.value === undefined) continue;
    const c = change('baseline', x, y, { thresholdPct, ratiosOnly: false, baselineMoved: false, absolute: true, seed });
    if (c.regression || c.improvement) {
      return { field: 'baseline', a: fmtValue(c, c.a), b: fmtValue(c, c.b), detail: `${name} ${fmtValue(c, c.a)} → ${fmtValue(c, c.b)} (${fmtChange(c.changePct)}, interval ${fmtInterval(c)})` };
    }
  }
  return undefined;
}

export function compareResults(a: Results, b: Results, options: CompareOptions = {}): Comparison {
  const thresholdPct = options.thresholdPct ?? DEFAULT_THRESHOLD_PCT;
  const seed = options.seed ?? DEFAULT_SEED;
  const differences = environmentDifferences(a.run.environment, b.run.environment);
  const sameEnvironment = options.sameEnvironment === true;
  const ratiosOnly = differences.length > 0 && !sameEnvironment;
  const moved = baselineMoved(a, b, thresholdPct, seed);
  if (moved) differences.push(moved);
  const j: Judging = { thresholdPct, ratiosOnly, baselineMoved: !!moved && !sameEnvironment, absolute: options.absolute === true, seed };
  const figures: FigureChange[] = [];
  const drift: DriftChange[] = [];
  const statusChanges: StatusChange[] = [];
  const idsB = new Set(b.strategies.map((s) => s.id));
  const idsA = new Set(a.strategies.map((s) => s.id));
  for (const sa of a.strategies) {
    const sb: StrategyResult | undefined = b.strategies.find((s) => s.id === sa.id);
    if (!sb) continue;
    if (sa.status !== sb.status) statusChanges.push({ strategy: sa.id, a: sa.status, b: sb.status, regression: sa.status === 'ok' });
    const fa = figuresOf(a, sa);
    const fb = figuresOf(b, sb);
    const names = [...new Set([...fa.map((f) => f.figure), ...fb.map((f) => f.figure)])];
    for (const n of names) {
      const x = fa.find((f) => f.figure === n);
      const y = fb.find((f) => f.figure === n);
      if (x?.value === undefined && y?.value === undefined) continue;
      figures.push(change(sa.id, x?.value === undefined ? undefined : x, y?.value === undefined ? undefined : y, j));
    }
    drift.push(...driftChanges(sa.id, sa.drift, sb.drift));
  }
  const caveats = caveatsOf(a, b);
  figures.push(...capacityChanges(a, b, thresholdPct, caveats));
  const sideA = side(a);
  const sideB = side(b);
  const untested = untestedReason(figures, sideA, sideB, ratiosOnly);
  return {
    thresholdPct,
    method: { test: TEST_NAME, confidence: DEFAULT_CONFIDENCE, resamples: DEFAULT_RESAMPLES, seed: j.seed, minSamples: MIN_SAMPLES },
    a: sideA,
    b: sideB,
    environment: { differences, sameEnvironment, judged: ratiosOnly ? 'ratios to baseline' : j.baselineMoved ? 'all but absolute latency and throughput' : 'everything' },
    absolute: j.absolute,
    figures,
    regressions: figures.filter((f) => f.regression),
    drift,
    statusChanges,
    claimChanges: claimChanges(a, b),
    onlyInA: [...idsA].filter((id) => !idsB.has(id)),
    onlyInB: [...idsB].filter((id) => !idsA.has(id)),
    ...(tooFewSamples(figures, sideA, sideB) ? { tooFewSamples: tooFewSamples(figures, sideA, sideB) } : {}),
    tested: testedCount(figures),
    ...(untested ? { untested } : {}),
    caveats: caveats.map(stripUrls),
  };
}

/** Claims both runs decided (or left undecided) differently; capacity runs carry none. */
function claimChanges(a: Results, b: Results): ClaimChange[] {
  if (a.capacity || b.capacity) return [];
  const before = new Map(claimsOf(a).map((c) => [c.id, c]));
  const out: ClaimChange[] = [];
  for (const c of claimsOf(b)) {
    const x = before.get(c.id);
    if (x && x.status !== c.status) out.push({ id: c.id, a: x.status, b: c.status, phaseA: x.phase ?? null, phaseB: c.phase ?? null });
  }
  return out;
}

/** How many regressions there are: significant figures beyond the threshold, drift the ledger
 *  does not explain, strategies that stopped running. */
export function regressionCount(c: Comparison): number {
  return c.regressions.length + c.drift.filter((d) => d.verdict === 'regression').length + c.statusChanges.filter((s) => s.regression).length;
}

/** True when B is significantly worse than A beyond the threshold anywhere, drifts where A did
 *  not, or a strategy stopped running. */
export function hasRegression(c: Comparison): boolean {
  return regressionCount(c) > 0;
}

/** Nothing was decided: no figure tested, no drift judged, nothing regressed. A gate must not
 *  read that as a pass, so the command exits 2 (cannot decide) unless told --allow-untested. */
export function cannotDecide(c: Comparison): boolean {
  return c.tested === 0 && regressionCount(c) === 0 && !c.drift.some((d) => d.verdict !== 'not judged');
}

export function fmtValue(f: FigureChange, v: number | null): string {
  if (v === null) return '–';
  if (f.normalized) return `${fmtNum(v)} ${f.normalized === 'per write' ? '/write' : '/s'}`;
  switch (f.kind) {
    case 'latency':
      return fmtMs(v);
    case 'throughput':
      return fmtRate(v);
    case 'errors':
    case 'consistency':
      return fmtPct(v);
    case 'cost-ratio':
      return fmtRatio(v);
    case 'capacity':
      return `${fmtNum(v)}/s`;
    default:
      return fmtFigure(f.figure, v);
  }
}

/** The interval as a signed percentage range, e.g. [+12 %, +31 %]. */
export function fmtInterval(f: FigureChange): string {
  const i = f.interval;
  if (!i) return '';
  if (i.lowPct === null || i.highPct === null) return `[${fmtNum(i.low)}, ${fmtNum(i.high)}]`;
  const one = (p: number): string => fmtChange(p).replace(/ %$/, '');
  return `[${one(i.lowPct)}, ${one(i.highPct)} %]`;
}

function verdictLabel(f: FigureChange): string {
  switch (f.verdict) {
    case 'regression':
      return 'REGRESSION';
    case 'improvement':
      return 'better';
    case 'no significant change':
      return '~';
    case 'not judged':
      return '';
    default:
      return f.verdict;
  }
}

/** The figures a terminal table shows: the ones people compare, plus anything that changed. */
function textFigures(c: Comparison): FigureChange[] {
  return c.figures.filter(
    (f) =>
      f.regression ||
      f.improvement ||
      f.verdict === 'within threshold' ||
      f.verdict === 'changed, not judged' ||
      f.verdict === 'new' ||
      f.verdict === 'gone' ||
      /ops\.write\.latencyMs\.(p50|p99)$|throughput$|errorRatePct$|^vsBaseline\.|^server\.(walBytesPerWrite|deadTuplesPerWrite)$/.test(f.figure) ||
      f.kind === 'capacity',
  );
}

/** The lines above every rendering: the runs, the method, the environment. */
export function headerLines(c: Comparison): string[] {
  const out: string[] = [];
  if (c.environment.differences.length) {
    const d = describeDifferences(c.environment.differences);
    out.push(
      c.environment.sameEnvironment
        ? `ENVIRONMENTS DIFFER (${d}); every figure compared anyway (--same-environment)`
        : c.environment.judged === 'ratios to baseline'
          ? `ENVIRONMENTS DIFFER (${d}): only the ratios to baseline and drift are judged (--same-environment judges everything)`
          : `BASELINE MOVED (${d}): absolute latency and throughput are not judged; the ratios to baseline, dead tuples per write, error rates and drift still are (--same-environment --absolute judges everything)`,
    );
  }
  out.push(`A: ${c.a.runId} (${c.a.startedAt}, scenario ${c.a.scenario}, ${c.a.rounds} rounds)`);
  out.push(`B: ${c.b.runId} (${c.b.startedAt}, scenario ${c.b.scenario}, ${c.b.rounds} rounds)`);
  out.push(
    `method: ${c.method.test}, ${c.method.confidence * 100} % interval; a regression is worse with its whole interval beyond ${c.thresholdPct} % ` +
      `(error rates: ${ERROR_RATE_LINE_PP} percentage points)`,
  );
  const baselineMovedOnly = c.environment.judged === 'all but absolute latency and throughput';
  out.push(
    c.absolute && baselineMovedOnly
      ? 'judged: ratios to baseline, dead tuples and WAL bytes per write, error rates, drift; absolute latency and throughput are shown, not judged (baseline moved)'
      : c.absolute
        ? 'judged: ratios to baseline, dead tuples and WAL bytes per write, error rates, drift, and absolute latency and throughput (--absolute)'
        : 'judged: ratios to baseline, dead tuples per write, error rates, drift; absolute latency and throughput and WAL bytes per write are shown, not judged (--absolute judges them)',
  );
  if (c.tooFewSamples) out.push(c.tooFewSamples);
  for (const cv of c.caveats) out.push(`note: ${cv}`);
  return out;
}

export function verdictLine(c: Comparison): string {
  const n = regressionCount(c);
  if (cannotDecide(c)) return `nothing tested: ${c.untested}`;
  const untested = c.untested ? `; no figure tested: ${c.untested}` : '';
  if (n > 0) return `${n} regression${n === 1 ? '' : 's'} (significant, beyond ${c.thresholdPct} %, or drift)${untested}`;
  // only drift was judged: say so rather than claim that the figures were held to the threshold
  return untested ? `no drift regression${untested}` : `no significant regression beyond ${c.thresholdPct} %`;
}

export function renderCompareText(c: Comparison): string {
  const rows = textFigures(c).map((f) => [f.strategy, f.figure, fmtValue(f, f.a), fmtValue(f, f.b), f.a === null || f.b === null ? '' : fmtChange(f.changePct), fmtInterval(f), verdictLabel(f)]);
  const header = ['strategy', 'figure', 'A', 'B', 'change', `${c.method.confidence * 100} % interval`, ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i >= 2 && i <= 5 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  const out: string[] = [...headerLines(c), ''];
  out.push(line(header));
  out.push(widths.map((w) => '-'.repeat(w)).join('  ').trimEnd());
  let last = '';
  for (const r of rows) {
    if (r[0] !== last && last) out.push('');
    last = r[0];
    out.push(line(r));
  }
  out.push('');
  for (const d of c.drift) {
    if (d.verdict === 'unchanged') continue;
    out.push(`drift ${d.strategy} ${d.counter}: ${d.reason}${d.verdict === 'regression' ? '  REGRESSION' : d.verdict === 'improvement' ? '  better' : ''}`);
  }
  for (const s of c.statusChanges) out.push(`${s.strategy}: status ${s.a} -> ${s.b}${s.regression ? '  REGRESSION' : ''}`);
  for (const x of c.claimChanges ?? []) out.push(`claim ${x.id}: ${x.a} -> ${x.b}  VERDICT CHANGED${x.phaseB ? ` (phase ${x.phaseB})` : ''}`);
  if (c.onlyInA.length) out.push(`only in A: ${c.onlyInA.join(', ')}`);
  if (c.onlyInB.length) out.push(`only in B: ${c.onlyInB.join(', ')}`);
  out.push(verdictLine(c));
  return stripUrls(out.join('\n')) + '\n';
}

export { renderCompareHtml } from './compare-html.ts';
export { renderCompareMarkdown } from './compare-markdown.ts';
