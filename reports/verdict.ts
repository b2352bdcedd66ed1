// The run's answer in one place: which strategies kept every counter exact, and which to deploy
// for this run's load. The recommendation weighs each strategy's write, read and delete cost by
// the run's mix (not write latency alone) and names two: the cheapest that was exact at every
// read, and the cheapest exact once its jobs caught up, with how stale it was meanwhile. HTML
// and Markdown both render this, so they never disagree.
import type { OpName, Results, StrategyResult } from '../harness/results/types.ts';
import { costVsBaseline, findStrategy, minConsistencyPct, worstExtra, worstLost, type BaselineCost } from './figures.ts';
import { fmtInt, fmtMs, fmtPct, fmtRatio } from './format.ts';
import { ANALYSIS_CLAIMS, figureText, type AnalysisClaim, type ClaimRule } from './analysis.ts';

export type VerdictClass = 'exact' | 'drifted' | 'no-counter' | 'unchecked' | 'not-run';

export interface VerdictEntry {
  id: string;
  title: string;
  origin: string;
  class: VerdictClass;
  status: StrategyResult['status'];
  reason?: string;
  cost: BaselineCost;
  writeP50Ms?: number;
  writeP99Ms?: number;
  readP50Ms?: number;
  /** mean latency of one operation of the run's mix: each operation's mean weighted by its share */
  mixCostMs?: number;
  /** mixCostMs against the baseline's in the same run */
  mixCostRatio?: number;
  consistencyPct?: number;
  lost?: number;
  extra?: number;
  convergeMs?: number | null;
  /** share of the counter reads the app made that were outside what was acknowledged */
  readsOutOfBoundsPct?: number;
  /** reads of the counter judged against what was acknowledged */
  readsJudged?: number;
  /** p99 of how long an acknowledged insert had been missing from a read that missed it */
  staleP99Ms?: number;
  /** operations that failed for good (after retries) */
  errors: number;
  /** faults that hit it: its figures are the fault's as much as its own */
  faults: number;
  harnessSaturated?: boolean;
}

/** A read figure measured at a larger data size than the run's (a read phase of a suite). */
export interface ReadAtScale {
  strategy: string;
  answersPerUser: number;
  readP50Ms: number;
  /** where it was measured, e.g. "the read phase" */
  source: string;
}

export interface Recommendation {
  /** the cheapest strategy that was exact at every read, by cost of the mix */
  atEveryRead?: VerdictEntry;
  /** the cheapest strategy exact once its jobs caught up, when it is not the one above */
  afterConvergence?: VerdictEntry;
  /** exact strategies left out of the choice, and why */
  excluded: Array<{ id: string; why: string }>;
  /** the recommendation in sentences */
  lines: string[];
}

export interface Verdict {
  exact: VerdictEntry[];
  drifted: VerdictEntry[];
  /** ran, but keeps no counter (the baseline) */
  noCounter: VerdictEntry[];
  /** ran, keeps counters, but no drift check came back */
  unchecked: VerdictEntry[];
  notRun: VerdictEntry[];
  /** the recommendation's first pick (kept under its old name for the reports' tables) */
  cheapestExact?: VerdictEntry;
  recommendation: Recommendation;
  headline: string;
}

const OPS: OpName[] = ['write', 'read', 'delete'];

function classify(s: StrategyResult): VerdictClass {
  if (s.status !== 'ok') return 'not-run';
  // the baseline's drift check is vacuous (no counter to be wrong): it is no exact strategy
  if (s.counters.length === 0) return 'no-counter';
  if (s.drift) return s.drift.consistent ? 'exact' : 'drifted';
  return 'unchecked';
}

/** Mean ms of one operation of the run's mix: the operations it measured, weighted by the mix. */
function mixCost(results: Results, s: StrategyResult | undefined): number | undefined {
  const mix = results.run.scenario?.mix;
  if (!s || !mix) return undefined;
  let weight = 0;
  let sum = 0;
  for (const op of OPS) {
    const r = s.ops?.[op];
    if (!r || r.count === 0 || !(mix[op] > 0)) continue;
    weight += mix[op];
    sum += mix[op] * r.latencyMs.mean;
  }
  return weight > 0 ? sum / weight : undefined;
}

export function entryOf(results: Results, s: StrategyResult): VerdictEntry {
  const mixCostMs = mixCost(results, s);
  const baseMix = mixCost(results, findStrategy(results, 'baseline'));
  const reads = s.drift?.reads;
  return {
    id: s.id,
    title: s.title,
    origin: s.origin,
    class: classify(s),
    status: s.status,
    ...(s.reason !== undefined ? { reason: s.reason } : {}),
    cost: costVsBaseline(results, s),
    writeP50Ms: s.ops?.write?.latencyMs.p50,
    writeP99Ms: s.ops?.write?.latencyMs.p99,
    readP50Ms: s.ops?.read?.latencyMs.p50,
    mixCostMs,
    mixCostRatio: mixCostMs !== undefined && baseMix ? mixCostMs / baseMix : undefined,
    consistencyPct: minConsistencyPct(s.drift),
    lost: worstLost(s.drift),
    extra: worstExtra(s.drift),
    convergeMs: s.drift?.convergeMs,
    readsOutOfBoundsPct: reads?.judged ? reads.outOfBoundsPct : undefined,
    readsJudged: reads?.judged,
    staleP99Ms: reads?.staleMs?.p99,
    errors: OPS.reduce((n, op) => n + (s.ops?.[op]?.errors ?? 0), 0),
    faults: (s.faults ?? []).filter((f) => f.happened).length,
    harnessSaturated: s.harnessSaturated,
  };
}

/** Exact at every read: its counters exact in the end, and every read it served within what was
 *  acknowledged around it. */
function exactAtEveryRead(e: VerdictEntry): boolean {
  return e.class === 'exact' && (e.readsJudged ?? 0) > 0 && e.readsOutOfBoundsPct === 0;
}

const cheapest = (xs: VerdictEntry[]): VerdictEntry | undefined => [...xs].sort((a, b) => (a.mixCostMs ?? Infinity) - (b.mixCostMs ?? Infinity))[0];

function mixText(results: Results): string {
  const sc = results.run.scenario;
  if (!sc) return "this run's load";
  const total = sc.mix.write + sc.mix.read + sc.mix.delete;
  const parts = OPS.filter((op) => sc.mix[op] > 0).map((op) => `${Math.round((sc.mix[op] / total) * 100)}% ${op}s`);
  const load = sc.load.kind === 'closed' ? `${fmtInt(sc.load.clients)} clients` : `${fmtInt(sc.load.rate)} operations/s`;
  return `this run's load (${parts.join(', ')}; ${load}; ${fmtInt(sc.data.users)} users × ${fmtInt(sc.data.answersPerUser)} answers)`;
}

function costText(e: VerdictEntry): string {
  return `${fmtMs(e.mixCostMs)} per operation of the mix` + (e.mixCostRatio !== undefined ? ` (${fmtRatio(e.mixCostRatio)} the baseline's)` : '');
}

function stalenessText(e: VerdictEntry): string {
  const parts: string[] = [];
  parts.push(e.convergeMs === null || e.convergeMs === undefined ? 'its counters never caught up within the drain timeout' : `its counters matched the truth ${fmtMs(e.convergeMs)} after the load ended`);
  if (e.readsOutOfBoundsPct !== undefined) {
    parts.push(
      `meanwhile ${fmtPct(e.readsOutOfBoundsPct)} of its reads were outside what was acknowledged` +
        (e.staleP99Ms !== undefined ? `, missing inserts acknowledged up to ${fmtMs(e.staleP99Ms)} earlier (p99)` : ''),
    );
  } else parts.push('no read of its counter was judged');
  return parts.join('; ');
}

/** The claims of the analysis about reads that grow with the data (COUNT(*)): their strategy,
 *  and the data size and figures the document gives. */
function readScaleClaim(id: string): (AnalysisClaim & { rule: Extract<ClaimRule, { kind: 'read-latency' }> }) | undefined {
  return (ANALYSIS_CLAIMS as readonly AnalysisClaim[]).find(
    (c): c is AnalysisClaim & { rule: Extract<ClaimRule, { kind: 'read-latency' }> } => c.rule.kind === 'read-latency' && c.strategies[0] === id,
  );
}

/** For a pick whose reads grow with the answers per user: what changes at the document's size,
 *  and what to deploy there instead (the next cheapest of the same kind, `alike`). */
function scaleCaveat(results: Results, pick: VerdictEntry, alike: VerdictEntry[], readScale: ReadAtScale[]): string | undefined {
  const claim = readScaleClaim(pick.id);
  const answers = results.run.scenario?.data?.answersPerUser ?? 0;
  if (!claim || answers >= claim.rule.answersPerUser) return undefined;
  const at = fmtInt(claim.rule.answersPerUser);
  const measured = readScale.find((r) => r.strategy === pick.id && r.answersPerUser >= claim.rule.answersPerUser);
  const figure = measured
    ? `${measured.source[0].toUpperCase()}${measured.source.slice(1)} measured a median read of ${fmtMs(measured.readP50Ms)} at ${fmtInt(measured.answersPerUser)} answers per user.`
    : `A read at ${at} was not measured in this run (the count-star-100k scenario measures it); the analysis claims ${figureText(claim.rule.quotedMs, 'ms')}.`;
  const next = cheapest(alike.filter((e) => e.id !== pick.id && !readScaleClaim(e.id)));
  return (
    `${pick.id} reads with COUNT(*), which grows with the answers per user: this run had ${fmtInt(answers)}, so at ${at} the answer changes. ${figure}` +
    (next ? ` The next cheapest of the same kind that does not count on every read is ${next.id}, at ${costText(next)}.` : '')
  );
}

const push = (lines: string[], line: string | undefined): void => {
  if (line) lines.push(line);
};

function recommend(results: Results, entries: VerdictEntry[], readScale: ReadAtScale[]): Recommendation {
  const excluded: Recommendation['excluded'] = [];
  const candidates = entries.filter((e) => {
    if (e.class !== 'exact') return false;
    if (e.faults > 0) excluded.push({ id: e.id, why: `${fmtInt(e.faults)} fault(s) hit it, so its figures are not its own` });
    else if (e.errors > 0) excluded.push({ id: e.id, why: `${fmtInt(e.errors)} operation(s) failed for good` });
    else if (e.mixCostMs === undefined) excluded.push({ id: e.id, why: 'none of the operations of the mix was measured' });
    else return true;
    return false;
  });
  const atEveryRead = cheapest(candidates.filter(exactAtEveryRead));
  const eventual = cheapest(candidates);
  const afterConvergence = eventual && eventual !== atEveryRead ? eventual : undefined;
  const lines: string[] = [];
  const anyReads = entries.some((e) => (e.readsJudged ?? 0) > 0);
  if (!candidates.length) lines.push(`No strategy kept every counter exact without a fault or a failed operation under ${mixText(results)}: none to recommend.`);
  else {
    if (atEveryRead) lines.push(`For ${mixText(results)}, the cheapest strategy exact at every read is ${atEveryRead.id}, at ${costText(atEveryRead)}.`);
    else if (!anyReads) lines.push(`This run made no reads of a counter, so no strategy could show it was exact at every read.`);
    else lines.push(`No strategy was exact at every read under ${mixText(results)}.`);
    if (afterConvergence) lines.push(`The cheapest exact once its jobs caught up is ${afterConvergence.id}, at ${costText(afterConvergence)}: ${stalenessText(afterConvergence)}.`);
    else if (atEveryRead) lines.push('No strategy that is exact only after its jobs caught up costs less.');
    if (atEveryRead) push(lines, scaleCaveat(results, atEveryRead, candidates.filter(exactAtEveryRead), readScale));
    if (afterConvergence) push(lines, scaleCaveat(results, afterConvergence, candidates, readScale));
  }
  if (atEveryRead?.harnessSaturated || afterConvergence?.harnessSaturated) lines.push('The harness itself was saturated while measuring a recommended strategy: its costs include the harness\'s own delay.');
  for (const x of excluded) lines.push(`Not considered: ${x.id}, exact but ${x.why}.`);
  return { ...(atEveryRead ? { atEveryRead } : {}), ...(afterConvergence ? { afterConvergence } : {}), excluded, lines };
}

/** The verdict of a run. `readScale`: read figures measured at larger data sizes (a suite's read
 *  phase), cited when a recommended strategy's reads grow with the data. */
export function verdictOf(results: Results, readScale: ReadAtScale[] = []): Verdict {
  const entries = results.strategies.map((s) => entryOf(results, s));
  const exact = entries.filter((e) => e.class === 'exact');
  const drifted = entries.filter((e) => e.class === 'drifted');
  // with load.via both, a strategy's HTTP twin (<id>@http) is the same strategy again: the
  // headline and the pick count each strategy once, by its SQL figures, and say the twins apart
  const twins = new Set(results.strategies.filter((s) => s.via === 'http' && s.strategy).map((s) => s.id));
  const own = (xs: VerdictEntry[]) => xs.filter((e) => !twins.has(e.id));
  const checked = own(exact).length + own(drifted).length;
  let headline: string;
  if (checked === 0) headline = 'No strategy had its counters checked in this run.';
  else if (own(drifted).length === 0) headline = `All ${checked} strategies whose counters were checked kept every counter exact.`;
  else if (own(exact).length === 0) headline = `None of the ${checked} strategies whose counters were checked kept every counter exact.`;
  else headline = `${own(exact).length} of ${checked} strategies whose counters were checked kept every counter exact; ${own(drifted).length} drifted.`;
  if (twins.size) {
    const tExact = exact.filter((e) => twins.has(e.id)).length;
    const tDrifted = drifted.filter((e) => twins.has(e.id)).length;
    headline += ` Through the app (HTTP): ${tExact} of ${tExact + tDrifted} exact${tDrifted ? `, ${tDrifted} drifted` : ''}.`;
  }
  const recommendation = recommend(results, own(entries), readScale);
  return {
    exact,
    drifted,
    noCounter: entries.filter((e) => e.class === 'no-counter'),
    unchecked: entries.filter((e) => e.class === 'unchecked'),
    notRun: entries.filter((e) => e.class === 'not-run'),
    ...(recommendation.atEveryRead ? { cheapestExact: recommendation.atEveryRead } : {}),
    recommendation,
    headline,
  };
}
