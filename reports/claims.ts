// The analysis's claims (reports/analysis.ts) checked against this run's measurements: one
// template for every claim (the strategy it is about must have run without a fault, else the
// claim is "not measured" and says why), and one rule per kind of claim that turns the run's
// figures into confirmed, refuted or not measured, with the numbers that decided it. A claim
// whose conditions this run did not reproduce (a much smaller data set, concurrent clients for a
// per-operation figure) is "not measured" rather than guessed at.
import type { ClaimResult, ClaimStatus, RefreshScaling, Results, StrategyResult } from '../harness/results/types.ts';
import { fmtInt, fmtMs, fmtNum, fmtPct, fmtRatio } from './format.ts';
import {
  costVsBaseline,
  findStrategy,
  minConsistencyPct,
  serverFigures,
  strategyEvents,
  worstExtra,
  worstLost,
} from './figures.ts';
import { interleavingProof } from '../harness/interleave/proof.ts';
import { ANALYSIS_CLAIMS, ANALYSIS_MATRIX, claimText, matrixCell, type AnalysisClaim, type ClaimRule, type ClaimTopic, type Figure } from './analysis.ts';

export type { ClaimStatus };

/** A claim as this run decided it: results.json's claims[] entries. */
export type ClaimCheck = ClaimResult & { topic: ClaimTopic };

type Decision = { status: ClaimStatus; evidence: string; reason?: string };
type RuleOf<K extends ClaimRule['kind']> = Extract<ClaimRule, { kind: K }>;

interface RuleCheck<K extends ClaimRule['kind']> {
  /** decided on a strategy that ran in full without a fault (all but deployability) */
  needsRun: boolean;
  decide(results: Results, s: StrategyResult | undefined, rule: RuleOf<K>, claim: AnalysisClaim): Decision;
}

/** Faults that hit the strategy: a claim is never decided by a fault the harness caused or
 *  suffered. */
function faultsOf(s: StrategyResult): string[] {
  return (s.faults ?? []).filter((f) => f.happened).map((f) => `${f.kind}${f.injected ? ' (injected)' : ''} at ${(f.tMs / 1000).toFixed(1)} s in round ${f.round}`);
}

function ran(s: StrategyResult | undefined): s is StrategyResult {
  return !!s && s.status === 'ok' && faultsOf(s).length === 0;
}

function notRunEvidence(id: string, s: StrategyResult | undefined): string {
  if (!s) return `${id} was not part of this run.`;
  const hit = faultsOf(s);
  if (s.status === 'ok' && hit.length) return `${id}'s figures carry faults, so they decide nothing here: ${hit.join('; ')}.`;
  return `${id} was ${s.status}${s.reason ? `: ${s.reason}` : ''}.`;
}

const notMeasured = (evidence: string, reason?: string): Decision => ({ status: 'not measured', evidence, ...(reason ? { reason } : {}) });
const lo = (f: Figure): number => (typeof f === 'number' ? f : f[0]);
const hi = (f: Figure): number => (typeof f === 'number' ? f : f[1]);

/** One client in the closed model: the only load under which a per-operation latency claim,
 *  measured by the document on an idle system, can be checked. */
function uncontended(results: Results): boolean {
  const load = results.run.scenario?.load;
  return load?.kind === 'closed' && load.clients === 1;
}

/** The run's data is at least ten times smaller than the size the document measured at. */
function smallerThan(results: Results, answersPerUser: number): boolean {
  return (results.run.scenario?.data?.answersPerUser ?? 0) * 10 < answersPerUser;
}

function scaleNote(results: Results, answersPerUser: number): string {
  return `at ${fmtInt(results.run.scenario?.data?.answersPerUser ?? 0)} answers per user (the document measured ${fmtInt(answersPerUser)})`;
}

const TOO_SMALL = ' The data set is too small to reproduce the claim.';

/** The number of acknowledged deletes when they, and nothing else, explain a strategy's drift:
 *  no increment lost, and each counter exactly one too high per delete. */
function deletesExplainExtra(s: StrategyResult): number | undefined {
  const d = s.drift;
  const deletes = d?.ledger?.acknowledgedDeletes ?? 0;
  if (!d || deletes === 0 || d.ledger?.inDoubt) return undefined;
  const drifted = d.counters.filter((c) => c.usersInconsistent > 0);
  if (!drifted.length) return undefined;
  return drifted.every((c) => c.lost === 0 && c.extra === deletes) ? deletes : undefined;
}

/** A claim about races between writes of one user, decided by lost increments: a loss decides
 *  it at once; no loss decides it only when same-user writes did overlap, the one condition
 *  under which a race can show. */
function raceVerdict(lost: number, overlaps: number | undefined, expect: 'some' | 'none', evidence: string): Decision {
  if (lost > 0) return { status: expect === 'some' ? 'confirmed' : 'refuted', evidence };
  if (!overlaps) return notMeasured(`${evidence} No two writes of one user overlapped, so no race could show.`);
  return { status: expect === 'some' ? 'refuted' : 'confirmed', evidence };
}

interface RefreshFigures {
  /** the longest one, when known */
  maxMs?: number;
  meanMs?: number;
  /** all refreshes together: an upper bound of the longest */
  totalMs?: number;
  count?: number;
}

/** REFRESH durations from the job's events, else from the server record's figures. */
function refreshFigures(s: StrategyResult): RefreshFigures | undefined {
  const refreshes = strategyEvents(s).filter((e) => /refresh/i.test(e.kind));
  if (refreshes.length > 0) {
    const total = refreshes.reduce((n, e) => n + e.durationMs, 0);
    return { maxMs: Math.max(...refreshes.map((e) => e.durationMs)), meanMs: total / refreshes.length, totalMs: total, count: refreshes.length };
  }
  const figs = serverFigures(s);
  const pick = (re: RegExp): number | undefined => {
    const k = Object.keys(figs).find((name) => /refresh/i.test(name) && re.test(name.split('.').pop() ?? ''));
    return k === undefined ? undefined : figs[k];
  };
  const out: RefreshFigures = {
    maxMs: pick(/^max/i),
    meanMs: pick(/^mean/i),
    totalMs: pick(/^total/i),
    count: pick(/^(count|refreshes|runs)$/i),
  };
  return Object.values(out).some((v) => v !== undefined) ? out : undefined;
}

/** REFRESH timed against rows, readers measured under the refresh job: "blocks" is decided by the
 *  readers, "slows with data" by the fit, and "for 10+ s" by the longest REFRESH measured, or,
 *  below it, by the rows at which the fit reaches it. A projection is only given where the
 *  longest REFRESH measured is within a tenth of the claimed time: further out it would be a
 *  guess, and the claim needs the rows that make it measurable. */
function refreshScalingVerdict(r: RefreshScaling, rule: RuleOf<'refresh-blocks'>): Decision {
  const longest = Math.max(0, ...r.points.map((p) => Math.max(...p.refreshMs)));
  const largest = r.points.reduce((a, p) => Math.max(a, p.rows), 0);
  const fit = r.fit;
  const sizes = r.points.map((p) => `${fmtInt(p.rows)} rows ${fmtMs(p.medianMs)}`).join(', ');
  const readers = r.readers
    ? r.readers.blocked
      ? `readers of the view waited for a whole REFRESH (slowest read ${fmtMs(r.readers.slowestMs)}, longest REFRESH under load ${fmtMs(r.readers.longestRefreshMs)}, ${fmtInt(r.readers.refreshes)} refreshes${r.concurrently ? ', CONCURRENTLY' : ''})`
      : `readers of the view were not held by the REFRESH (slowest read ${fmtMs(r.readers.slowestMs)}, longest REFRESH under load ${fmtMs(r.readers.longestRefreshMs)}${r.concurrently ? ', CONCURRENTLY' : ''})`
    : 'readers were not measured';
  const growth = fit ? `REFRESH takes ${fmtMs(fit.interceptMs)} + ${fmtMs(fit.msPerMillionRows)} per million rows (r² ${fmtNum(fit.r2, 2)})` : 'no fit over the sizes';
  const evidence = `REFRESH (median of each size): ${sizes}; ${growth}; ${readers}.`;
  const minS = `${rule.minMs / 1000} s`;
  if (r.readers && !r.readers.blocked) return { status: 'refuted', evidence: `${evidence} Nothing was blocked.` };
  if (!fit || fit.msPerMillionRows <= 0) return { status: 'refuted', evidence: `${evidence} The REFRESH did not slow with the data measured.` };
  if (longest >= rule.minMs) return { status: r.readers ? 'confirmed' : 'partly', evidence, ...(r.readers ? {} : { reason: 'readers were not measured' }) };
  const rowsAt = (ms: number) => Math.ceil(((ms - fit.interceptMs) / fit.msPerMillionRows) * 1e6);
  if (longest < rule.minMs / 10) {
    const needs = Math.max(largest + 1, rowsAt(rule.minMs / 10));
    return notMeasured(`${evidence} The longest REFRESH (${fmtMs(longest)}) is under a tenth of ${minS}: a projection that far out is a guess.`, `needs ${fmtInt(needs)} rows (a REFRESH of ${fmtMs(rule.minMs / 10)} or more)`);
  }
  const at = r.reaches.rows ?? rowsAt(rule.minMs);
  const users = Math.ceil(at / rule.answersPerUser);
  return {
    status: 'partly',
    evidence: `${evidence} It blocks and grows with the data, but not for ${minS} at ${fmtInt(largest)} rows: by the fit, ${minS} is reached at about ${fmtInt(at)} rows (${fmtInt(users)} users at the analysis's ${fmtInt(rule.answersPerUser)} answers each), a projection beyond the sizes measured.`,
    reason: `${minS} only from about ${fmtInt(at)} rows (projected)`,
  };
}

const RULES: { [K in ClaimRule['kind']]: RuleCheck<K> } = {
  'write-latency': {
    needsRun: true,
    decide(results, s, rule) {
      const w = s!.ops?.write;
      if (!w) return notMeasured(`${s!.id} measured no writes.`);
      const ratio = costVsBaseline(results, s!).writeLatencyRatio;
      const figures =
        `median write ${fmtMs(w.latencyMs.p50)}, p99 ${fmtMs(w.latencyMs.p99)} over ${fmtInt(w.count)} writes` +
        (ratio !== undefined ? `; ${fmtRatio(ratio)} the baseline's mean write` : '');
      if (!uncontended(results)) {
        const clients = results.run.scenario?.load?.clients;
        return notMeasured(
          `${figures}, under ${fmtInt(clients)} concurrent clients. The claim is a per-operation latency on an idle system: \`counterbench micro\`, or a run with one client, measures it.`,
        );
      }
      // a cost claim holds when the cost is at most the claimed figure; a single figure allows
      // the rounding it implies
      const max = typeof rule.ms === 'number' ? rule.ms * 1.5 : hi(rule.ms);
      return {
        status: w.latencyMs.p50 <= max ? 'confirmed' : 'refuted',
        evidence: `${figures}, one client. Absolute times depend on the machine; the ratio to baseline carries across machines.`,
      };
    },
  },
  consistency: {
    needsRun: true,
    decide(_results, s, rule) {
      const pct = minConsistencyPct(s!.drift);
      if (pct === undefined || !s!.drift) return notMeasured(`${s!.id}'s counters were not checked.`);
      const worst = s!.drift.counters.reduce((a, c) => (c.consistencyPct < a.consistencyPct ? c : a));
      const deletes = deletesExplainExtra(s!);
      const evidence =
        `after the drain, ${fmtPct(pct)} of keys exact on the worst counter (${worst.name}: ` +
        `${fmtInt(worst.usersInconsistent)} of ${fmtInt(worst.usersChecked)} keys off; ` +
        `${fmtInt(worst.lost)} increments lost, ${fmtInt(worst.extra)} extra)` +
        (s!.drift.convergeMs ? `; converged ${fmtMs(s!.drift.convergeMs)} after the load` : '') +
        (deletes !== undefined
          ? `. Every extra is one of the ${fmtInt(deletes)} acknowledged deletes, which an INSERT-only trigger never counts down ` +
            `(the analysis's own Problem 3); no insert was miscounted: the claim fails on deletes, not on inserts`
          : '') +
        '.';
      const holds = typeof rule.pct === 'number' ? pct >= rule.pct : pct >= lo(rule.pct) && pct <= hi(rule.pct);
      return { status: holds ? 'confirmed' : 'refuted', evidence };
    },
  },
  'lost-updates': {
    needsRun: true,
    decide(results, s, rule) {
      const lost = worstLost(s!.drift);
      const writes = s!.ops?.write?.count ?? 0;
      if (lost === undefined || !s!.drift) return notMeasured('its counters were not checked.');
      if (writes === 0) return notMeasured('no writes were measured.');
      const overlaps = s!.drift.ledger?.writeOverlaps;
      const load = results.run.scenario?.load;
      let evidence: string;
      if (rule.expect === 'some') {
        evidence =
          `${fmtInt(lost)} increments lost and ${fmtInt(worstExtra(s!.drift))} extra over ${fmtInt(writes)} writes` +
          (load ? ` from ${fmtInt(load.clients)} concurrent clients` : '') +
          (overlaps !== undefined ? `, ${fmtInt(overlaps)} of them begun while another write of the same user was open` : '') +
          (lost === 0 ? '; UPDATE … SET n = n + 1 takes a row lock and re-reads the row, so concurrent increments serialize' : '') +
          '.';
      } else {
        // judged on lost increments alone: extras from deletes are another claim's business
        evidence =
          `${fmtInt(lost)} increments lost on the worst counter over ${fmtInt(writes)} measured writes` +
          (overlaps !== undefined ? `; ${fmtInt(overlaps)} writes begun while another write of the same user was open` : '') +
          (lost > 0 ? '. pg_try_advisory_xact_lock does not wait: when the lock is taken the trigger skips every counter update' : '') +
          '.';
      }
      return raceVerdict(lost, overlaps, rule.expect, evidence);
    },
  },
  'read-latency': {
    needsRun: true,
    decide(results, s, rule) {
      const r = s!.ops?.read;
      if (!r) return notMeasured(`${s!.id} measured no reads.`);
      const p50 = r.latencyMs.p50;
      const evidence = `median read ${fmtMs(p50)}, p99 ${fmtMs(r.latencyMs.p99)}, ${fmtNum(r.throughput)} reads/s ${scaleNote(results, rule.answersPerUser)}.`;
      if (p50 >= lo(rule.ms)) return { status: 'confirmed', evidence };
      if (smallerThan(results, rule.answersPerUser)) return notMeasured(evidence + TOO_SMALL);
      return { status: 'refuted', evidence };
    },
  },
  'read-ratio': {
    needsRun: true,
    decide(results, s, rule) {
      const r = s!.ops?.read;
      const fast = rule.against.map((id) => findStrategy(results, id)).find((x) => x !== undefined);
      const fr = ran(fast) ? fast.ops?.read : undefined;
      if (!r || !fr || !fast) return notMeasured(`needs reads of both ${s!.id} and a trigger strategy.`);
      const claimed = rule.ms[0] / rule.ms[1];
      const ratio = fr.latencyMs.p50 > 0 ? r.latencyMs.p50 / fr.latencyMs.p50 : Infinity;
      const evidence =
        `median read ${fmtMs(r.latencyMs.p50)} (${s!.id}) vs ${fmtMs(fr.latencyMs.p50)} (${fast.id}): ` +
        `${fmtRatio(ratio)} ${scaleNote(results, rule.answersPerUser)}.`;
      if (ratio >= claimed / 2 && ratio <= claimed * 2) return { status: 'confirmed', evidence };
      if (ratio < claimed / 2 && smallerThan(results, rule.answersPerUser)) return notMeasured(evidence + TOO_SMALL);
      return { status: 'refuted', evidence };
    },
  },
  'refresh-blocks': {
    needsRun: true,
    decide(results, s, rule) {
      const scaling = results.suite?.phases.find((p) => p.refresh)?.refresh;
      if (scaling) return refreshScalingVerdict(scaling, rule);
      const refresh = refreshFigures(s!);
      if (!refresh) return notMeasured('no REFRESH durations were recorded.');
      // without the longest one, the total of all refreshes still bounds it from above
      const longest = refresh.maxMs ?? (refresh.meanMs !== undefined && refresh.meanMs >= rule.minMs ? refresh.meanMs : undefined);
      const bound = refresh.maxMs ?? refresh.totalMs;
      const readMax = s!.ops?.read?.latencyMs.max;
      const concurrently = results.run.scenario?.options?.mvRefreshConcurrently;
      const evidence =
        (refresh.maxMs !== undefined
          ? `longest REFRESH ${fmtMs(refresh.maxMs)}`
          : `mean REFRESH ${fmtMs(refresh.meanMs)}` + (refresh.totalMs !== undefined ? `, all together ${fmtMs(refresh.totalMs)}` : '')) +
        (refresh.count !== undefined ? ` over ${fmtInt(refresh.count)} refreshes` : '') +
        (concurrently !== undefined ? ` (${concurrently ? 'CONCURRENTLY' : 'not concurrently'})` : '') +
        (readMax !== undefined ? `; slowest read of the view ${fmtMs(readMax)}` : '') +
        ` with ${fmtInt(results.run.scenario?.data?.users)} users × ${fmtInt(results.run.scenario?.data?.answersPerUser)} answers.`;
      if (longest !== undefined && longest >= rule.minMs) return { status: 'confirmed', evidence };
      // "slows with data": a short REFRESH over a small data set refutes nothing
      if (smallerThan(results, rule.answersPerUser)) return notMeasured(evidence + TOO_SMALL);
      return bound !== undefined && bound < rule.minMs ? { status: 'refuted', evidence } : notMeasured(evidence);
    },
  },
  'not-deployable': {
    needsRun: false,
    decide(_results, s, _rule, claim) {
      const id = claim.strategies[0];
      if (!s || s.status === 'skipped') return notMeasured(notRunEvidence(id, s));
      if (s.status === 'not-deployable') return { status: 'confirmed', evidence: `Postgres refused it: ${s.reason ?? '(no message)'}` };
      return { status: 'refuted', evidence: `it deployed (status ${s.status}).` };
    },
  },
  scale: {
    needsRun: true,
    decide(results, s, rule) {
      const w = s!.ops?.write;
      if (!w) return notMeasured(`${s!.id} measured no writes.`);
      const users = results.run.scenario?.data?.users ?? 0;
      const evidence = `write p99 ${fmtMs(w.latencyMs.p99)} at ${fmtNum(w.throughput)} writes/s with ${fmtInt(users)} users.`;
      if (users < rule.users[0]) return notMeasured(`${evidence} Fewer than ${fmtInt(rule.users[0])} users: outside the claim's range.`);
      if (w.latencyMs.p99 >= rule.writeP99Ms) return { status: 'refuted', evidence };
      // holding in the middle of the range says nothing yet about its top: only a run there decides
      if (users < rule.users[1]) return notMeasured(`${evidence} It holds at this size; the claim reaches ${fmtInt(rule.users[1])} users.`);
      return { status: 'confirmed', evidence };
    },
  },
};

/** The specs whose permutations race two writes of one user: what a lost-updates claim is about
 *  (a crash between statements, or a delete, is another story). */
const RACE_SPECS = ['two-inserts', 'two-inserts-statements'];

/**
 * A lost-updates claim decided by the interleavings, where they ran: a permutation that loses an
 * increment does so every time it is run, which no load statistic can say; none failing among
 * those tried decides it the other way for these statements at this isolation level. The load's
 * figures, where the strategy ran, are kept beside the proof.
 */
function raceProof(results: Results, id: string, rule: Extract<ClaimRule, { kind: 'lost-updates' }>, load: Decision | undefined): Decision | undefined {
  const proofs = RACE_SPECS.map((spec) => interleavingProof(results, id, spec)).filter((p) => p !== undefined);
  if (!proofs.length) return undefined;
  const losing = proofs.find((p) => p.shortest?.outcome.kind === 'lost');
  const beside = load && load.status !== 'not measured' ? ` Under load: ${load.evidence}` : '';
  if (losing) {
    return {
      status: rule.expect === 'some' ? 'confirmed' : 'refuted',
      // the proof's own sentence: "this interleaving loses an increment every time: s1 BEGIN, …"
      evidence: `${losing.evidence}${beside}`,
    };
  }
  if (proofs.some((p) => p.failing > 0)) return undefined; // failures of another kind (errors) decide nothing here
  const tried = proofs.reduce((n, p) => n + p.permutationsRun, 0);
  return {
    status: rule.expect === 'some' ? 'refuted' : 'confirmed',
    evidence: `no interleaving of two writes of one user loses an increment: ${tried} permutations tried (${proofs.map((p) => p.spec).join(', ')}); that covers these statements at this isolation level only.${beside}`,
  };
}

/** One claim of the table against this run; `phase` names where its figures come from. */
export function checkClaim(results: Results, claim: AnalysisClaim, phase: string | null = results.run.scenario?.name ?? null): ClaimCheck {
  const id = claim.strategies[0];
  const s = findStrategy(results, id);
  const check = RULES[claim.rule.kind] as RuleCheck<ClaimRule['kind']>;
  let decision: Decision = check.needsRun && !ran(s) ? notMeasured(notRunEvidence(id, s)) : check.decide(results, s, claim.rule, claim);
  if (claim.rule.kind === 'lost-updates') decision = raceProof(results, id, claim.rule, ran(s) ? decision : undefined) ?? decision;
  const reason = decision.status === 'not measured' ? (decision.reason ?? decision.evidence) : decision.reason;
  return {
    id: claim.id,
    topic: claim.topic,
    strategies: [...claim.strategies],
    claim: claimText(claim),
    status: decision.status,
    ...(reason ? { reason } : {}),
    evidence: decision.evidence,
    phase,
  };
}

export function checkClaims(results: Results): ClaimCheck[] {
  return ANALYSIS_CLAIMS.map((c) => checkClaim(results, c));
}

/** The claims a results file carries, or, for an older file without them, decided from its
 *  figures as its run would have. */
export function claimsOf(results: Results): ClaimResult[] {
  return results.claims ?? checkClaims(results);
}

/** The document's decision matrix, one row per strategy it scores, its claimed figures filled in
 *  from the claims they come from. */
export interface MatrixRow {
  variant: string;
  id: string;
  name: string;
  claimedWriteLatency: string;
  claimedConsistency: string;
  claimedScale: string;
  documentVerdict: string;
}

export const DECISION_MATRIX: MatrixRow[] = ANALYSIS_MATRIX.map((m) => ({
  variant: m.variant,
  id: m.strategy,
  name: m.name,
  claimedWriteLatency: matrixCell(m.writeLatency),
  claimedConsistency: matrixCell(m.consistency),
  claimedScale: matrixCell(m.scale),
  documentVerdict: m.verdict,
}));
