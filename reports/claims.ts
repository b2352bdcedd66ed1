// The analysis's claims (seed/README.md) checked against this run's measurements. Each claim says
// what the document asserts, which figures of results.json decide it, and how: a claim whose
// conditions this run did not reproduce (a strategy not run, a much smaller data set) is
// "not measured" rather than guessed at.
import type { Results, StrategyResult } from '../harness/results/types.ts';
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

export type ClaimStatus = 'confirmed' | 'refuted' | 'not measured';

export interface ClaimCheck {
  id: string;
  topic: 'write latency' | 'consistency' | 'read latency' | 'blocking' | 'races' | 'deployability' | 'scale';
  /** strategy ids the claim is about */
  strategies: string[];
  /** what the document says */
  claim: string;
  status: ClaimStatus;
  /** the numbers that decided it, in words */
  evidence: string;
}

/** The answers per user of the document's benchmark table. */
const CLAIM_ANSWERS_PER_USER = 100_000;

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

/** One client in the closed model: the only load under which a per-operation latency claim,
 *  measured by the document on an idle system, can be checked. */
function uncontended(results: Results): boolean {
  const load = results.run.scenario?.load;
  return load?.kind === 'closed' && load.clients === 1;
}

function writeLatencyClaim(results: Results, id: string, claimId: string, label: string, lo: number, hi: number): ClaimCheck {
  const s = findStrategy(results, id);
  const claim = `${label}: write latency ${lo === hi ? `${lo}` : `${lo}-${hi}`} ms.`;
  const base = { id: claimId, topic: 'write latency' as const, strategies: [id], claim };
  const w = ran(s) ? s.ops?.write : undefined;
  if (!ran(s) || !w) return { ...base, status: 'not measured', evidence: ran(s) ? `${id} measured no writes.` : notRunEvidence(id, s) };
  const p50 = w.latencyMs.p50;
  const ratio = costVsBaseline(results, s).writeLatencyRatio;
  const figures =
    `median write ${fmtMs(p50)}, p99 ${fmtMs(w.latencyMs.p99)} over ${fmtInt(w.count)} writes` +
    (ratio !== undefined ? `; ${fmtRatio(ratio)} the baseline's mean write` : '');
  if (!uncontended(results)) {
    const clients = results.run.scenario?.load?.clients;
    return {
      ...base,
      status: 'not measured',
      evidence: `${figures}, under ${fmtInt(clients)} concurrent clients. The claim is a per-operation latency on an idle system: \`counterbench micro\`, or a run with one client, measures it.`,
    };
  }
  // A cost claim holds when the cost is at most the claimed figure; the document gives one number
  // for event-driven, so allow the rounding a single figure implies.
  const max = lo === hi ? hi * 1.5 : hi;
  return {
    ...base,
    status: p50 <= max ? 'confirmed' : 'refuted',
    evidence: `${figures}, one client. Absolute times depend on the machine; the ratio to baseline carries across machines.`,
  };
}

function consistencyClaim(
  results: Results,
  id: string,
  claimId: string,
  label: string,
  claimText: string,
  lo: number,
  hi: number,
): ClaimCheck {
  const s = findStrategy(results, id);
  const base = { id: claimId, topic: 'consistency' as const, strategies: [id], claim: `${label}: ${claimText}` };
  if (!ran(s)) return { ...base, status: 'not measured', evidence: notRunEvidence(id, s) };
  const pct = minConsistencyPct(s.drift);
  if (pct === undefined || !s.drift) return { ...base, status: 'not measured', evidence: `${id}'s counters were not checked.` };
  const worst = s.drift.counters.reduce((a, c) => (c.consistencyPct < a.consistencyPct ? c : a));
  const deletes = deletesExplainExtra(s);
  const evidence =
    `after the drain, ${fmtPct(pct)} of keys exact on the worst counter (${worst.name}: ` +
    `${fmtInt(worst.usersInconsistent)} of ${fmtInt(worst.usersChecked)} keys off; ` +
    `${fmtInt(worst.lost)} increments lost, ${fmtInt(worst.extra)} extra)` +
    (s.drift.convergeMs ? `; converged ${fmtMs(s.drift.convergeMs)} after the load` : '') +
    (deletes !== undefined
      ? `. Every extra is one of the ${fmtInt(deletes)} acknowledged deletes, which an INSERT-only trigger never counts down ` +
        `(the analysis's own Problem 3); no insert was miscounted: the claim fails on deletes, not on inserts`
      : '') +
    '.';
  return { ...base, status: pct >= lo && pct <= hi ? 'confirmed' : 'refuted', evidence };
}

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

function countStarClaims(results: Results): ClaimCheck[] {
  const cs = findStrategy(results, 'count-star');
  const trig = findStrategy(results, 'trigger-upsert') ?? findStrategy(results, 'production-trigger');
  const answers = results.run.scenario?.data?.answersPerUser ?? 0;
  const scaleNote = `at ${fmtInt(answers)} answers per user (the document measured ${fmtInt(CLAIM_ANSWERS_PER_USER)})`;
  const smaller = answers * 10 < CLAIM_ANSWERS_PER_USER;
  const c1: ClaimCheck = {
    id: 'count-star-127ms',
    topic: 'read latency',
    strategies: ['count-star'],
    claim: 'COUNT(*) per read: 127 ms per query (7 qps) at 100K answers per user; 50-200 ms at large volume.',
    status: 'not measured',
    evidence: '',
  };
  const r = ran(cs) ? cs.ops?.read : undefined;
  if (!ran(cs) || !r) c1.evidence = ran(cs) ? 'count-star measured no reads.' : notRunEvidence('count-star', cs);
  else {
    const p50 = r.latencyMs.p50;
    c1.evidence = `median read ${fmtMs(p50)}, p99 ${fmtMs(r.latencyMs.p99)}, ${fmtNum(r.throughput)} reads/s ${scaleNote}.`;
    if (p50 >= 50) c1.status = 'confirmed';
    else if (smaller) c1.evidence += ' The data set is too small to reproduce the claim.';
    else c1.status = 'refuted';
  }
  const c2: ClaimCheck = {
    id: 'count-star-1270x',
    topic: 'read latency',
    strategies: ['count-star', trig?.id ?? 'trigger-upsert'],
    claim: 'COUNT(*) is 1270x slower to read than a trigger-maintained counter (127 ms vs 0.1 ms).',
    status: 'not measured',
    evidence: '',
  };
  const tr = ran(trig) ? trig.ops?.read : undefined;
  if (!r || !tr || !trig) c2.evidence = 'needs reads of both count-star and a trigger strategy.';
  else {
    const ratio = tr.latencyMs.p50 > 0 ? r.latencyMs.p50 / tr.latencyMs.p50 : Infinity;
    c2.evidence =
      `median read ${fmtMs(r.latencyMs.p50)} (count-star) vs ${fmtMs(tr.latencyMs.p50)} (${trig.id}): ` +
      `${fmtRatio(ratio)} ${scaleNote}.`;
    if (ratio >= 1270 / 2 && ratio <= 1270 * 2) c2.status = 'confirmed';
    else if (ratio < 1270 / 2 && smaller) c2.evidence += ' The data set is too small to reproduce the claim.';
    else c2.status = 'refuted';
  }
  return [c1, c2];
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

function refreshClaim(results: Results): ClaimCheck {
  const s = findStrategy(results, 'materialized-view');
  const base = {
    id: 'mv-refresh-blocks',
    topic: 'blocking' as const,
    strategies: ['materialized-view'],
    claim: 'REFRESH MATERIALIZED VIEW "blocks for 10+ seconds" and slows with data.',
  };
  if (!ran(s)) return { ...base, status: 'not measured', evidence: notRunEvidence('materialized-view', s) };
  const refresh = refreshFigures(s);
  if (!refresh) return { ...base, status: 'not measured', evidence: 'no REFRESH durations were recorded.' };
  // Without the longest one, the total of all refreshes still bounds it from above.
  const longest = refresh.maxMs ?? (refresh.meanMs !== undefined && refresh.meanMs >= 10_000 ? refresh.meanMs : undefined);
  const bound = refresh.maxMs ?? refresh.totalMs;
  const readMax = s.ops?.read?.latencyMs.max;
  const concurrently = results.run.scenario?.options?.mvRefreshConcurrently;
  const evidence =
    (refresh.maxMs !== undefined
      ? `longest REFRESH ${fmtMs(refresh.maxMs)}`
      : `mean REFRESH ${fmtMs(refresh.meanMs)}` + (refresh.totalMs !== undefined ? `, all together ${fmtMs(refresh.totalMs)}` : '')) +
    (refresh.count !== undefined ? ` over ${fmtInt(refresh.count)} refreshes` : '') +
    (concurrently !== undefined ? ` (${concurrently ? 'CONCURRENTLY' : 'not concurrently'})` : '') +
    (readMax !== undefined ? `; slowest read of the view ${fmtMs(readMax)}` : '') +
    ` with ${fmtInt(results.run.scenario?.data?.users)} users × ${fmtInt(results.run.scenario?.data?.answersPerUser)} answers.`;
  // "slows with data": a short REFRESH over a small data set refutes nothing (as for COUNT(*))
  const smaller = (results.run.scenario?.data?.answersPerUser ?? 0) * 10 < CLAIM_ANSWERS_PER_USER;
  const status: ClaimStatus =
    longest !== undefined && longest >= 10_000 ? 'confirmed' : bound !== undefined && bound < 10_000 && !smaller ? 'refuted' : 'not measured';
  return { ...base, status, evidence: evidence + (status === 'not measured' && smaller ? ' The data set is too small to reproduce the claim.' : '') };
}

function manualRaceClaim(results: Results): ClaimCheck {
  const s = findStrategy(results, 'manual-update');
  const base = {
    id: 'manual-race',
    topic: 'races' as const,
    strategies: ['manual-update'],
    claim: 'Manual UPDATE loses increments under concurrency: "two threads read 5, both write 6".',
  };
  if (!ran(s)) return { ...base, status: 'not measured', evidence: notRunEvidence('manual-update', s) };
  const lost = worstLost(s.drift);
  const writes = s.ops?.write?.count ?? 0;
  if (lost === undefined || writes === 0) return { ...base, status: 'not measured', evidence: 'no checked counters or no writes.' };
  const load = results.run.scenario?.load;
  const overlaps = s.drift?.ledger?.writeOverlaps;
  const evidence =
    `${fmtInt(lost)} increments lost and ${fmtInt(worstExtra(s.drift))} extra over ${fmtInt(writes)} writes` +
    (load ? ` from ${fmtInt(load.clients)} concurrent clients` : '') +
    (overlaps !== undefined ? `, ${fmtInt(overlaps)} of them begun while another write of the same user was open` : '') +
    (lost === 0 ? '; UPDATE … SET n = n + 1 takes a row lock and re-reads the row, so concurrent increments serialize' : '') +
    '.';
  return { ...base, ...raceVerdict(lost, overlaps, 'claims a loss', evidence) };
}

/** A claim about races between writes of one user, decided by lost increments: a loss decides
 *  it at once; no loss decides it only when same-user writes did overlap, the one condition
 *  under which a race can show. */
function raceVerdict(lost: number, overlaps: number | undefined, claim: 'claims a loss' | 'claims none', evidence: string): { status: ClaimStatus; evidence: string } {
  if (lost > 0) return { status: claim === 'claims a loss' ? 'confirmed' : 'refuted', evidence };
  if (!overlaps) return { status: 'not measured', evidence: `${evidence} No two writes of one user overlapped, so no race could show.` };
  return { status: claim === 'claims a loss' ? 'refuted' : 'confirmed', evidence };
}

function productionTriggerClaim(results: Results): ClaimCheck {
  const s = findStrategy(results, 'production-trigger');
  const base = {
    id: 'production-trigger-no-lost-updates',
    topic: 'races' as const,
    strategies: ['production-trigger'],
    claim: 'Migration 007 (trigger with pg_try_advisory_xact_lock) has "no lost updates": a second transaction waits for the lock.',
  };
  if (!ran(s)) return { ...base, status: 'not measured', evidence: notRunEvidence('production-trigger', s) };
  const lost = worstLost(s.drift);
  if (lost === undefined || !s.drift) return { ...base, status: 'not measured', evidence: 'its counters were not checked.' };
  const overlaps = s.drift.ledger?.writeOverlaps;
  const evidence =
    `${fmtInt(lost)} increments lost on the worst counter over ${fmtInt(s.ops?.write?.count)} measured writes` +
    (overlaps !== undefined ? `; ${fmtInt(overlaps)} writes begun while another write of the same user was open` : '') +
    (lost > 0 ? '. pg_try_advisory_xact_lock does not wait: when the lock is taken the trigger skips every counter update' : '') +
    '.';
  // judged on lost increments alone: extras from deletes are another claim's business
  return { ...base, ...raceVerdict(lost, overlaps, 'claims none', evidence) };
}

function generatedColumnClaim(results: Results): ClaimCheck {
  const s = findStrategy(results, 'generated-column');
  const base = {
    id: 'generated-column-impossible',
    topic: 'deployability' as const,
    strategies: ['generated-column'],
    claim: 'A generated column cannot hold the counter: generated columns allow no subqueries.',
  };
  if (!s || s.status === 'skipped') return { ...base, status: 'not measured', evidence: notRunEvidence('generated-column', s) };
  if (s.status === 'not-deployable') return { ...base, status: 'confirmed', evidence: `Postgres refused it: ${s.reason ?? '(no message)'}` };
  return { ...base, status: 'refuted', evidence: `it deployed (status ${s.status}).` };
}

function triggerScaleClaim(results: Results): ClaimCheck {
  const s = findStrategy(results, 'trigger-upsert');
  const base = {
    id: 'trigger-scale',
    topic: 'scale' as const,
    strategies: ['trigger-upsert'],
    claim: 'The trigger fits 1K-100K users; insert p99 stays under 50 ms (the yellow zone starts above).',
  };
  if (!ran(s) || !s.ops?.write) return { ...base, status: 'not measured', evidence: notRunEvidence('trigger-upsert', s) };
  const users = results.run.scenario?.data?.users ?? 0;
  const w = s.ops.write;
  const evidence = `write p99 ${fmtMs(w.latencyMs.p99)} at ${fmtNum(w.throughput)} writes/s with ${fmtInt(users)} users.`;
  if (users < 1000) return { ...base, status: 'not measured', evidence: `${evidence} Fewer than 1K users: outside the claim's range.` };
  if (w.latencyMs.p99 >= 50) return { ...base, status: 'refuted', evidence };
  // holding at 10K users says nothing yet about 100K: only a run at the top of the range decides
  if (users < 100_000) return { ...base, status: 'not measured', evidence: `${evidence} It holds at this size; the claim reaches 100K users.` };
  return { ...base, status: 'confirmed', evidence };
}

export function checkClaims(results: Results): ClaimCheck[] {
  return [
    writeLatencyClaim(results, 'manual-update', 'manual-write-latency', 'Manual UPDATE', 0.3, 0.5),
    writeLatencyClaim(results, 'trigger-upsert', 'trigger-write-latency', 'Trigger + UPSERT', 0.5, 1),
    writeLatencyClaim(results, 'redis-queue', 'event-driven-write-latency', 'Event-driven (Redis queue)', 0.08, 0.08),
    consistencyClaim(results, 'manual-update', 'manual-consistency', 'Manual UPDATE', '70-85% consistent.', 70, 85),
    consistencyClaim(results, 'trigger-upsert', 'trigger-consistency', 'Trigger + UPSERT', '100% consistent ("ACID").', 100, 100),
    consistencyClaim(results, 'redis-queue', 'event-driven-consistency', 'Event-driven (Redis queue)', '99.9% consistent (eventual).', 99.9, 100),
    manualRaceClaim(results),
    productionTriggerClaim(results),
    ...countStarClaims(results),
    refreshClaim(results),
    generatedColumnClaim(results),
    triggerScaleClaim(results),
  ];
}

/** The document's decision matrix, one row per strategy it scores. */
export interface MatrixRow {
  variant: string;
  id: string;
  name: string;
  claimedWriteLatency: string;
  claimedConsistency: string;
  claimedScale: string;
  documentVerdict: string;
}

export const DECISION_MATRIX: MatrixRow[] = [
  { variant: '1', id: 'manual-update', name: 'Manual UPDATE in the app', claimedWriteLatency: '0.3-0.5 ms', claimedConsistency: '70-85 %', claimedScale: 'up to 1K users', documentVerdict: 'not for production' },
  { variant: '2', id: 'trigger-upsert', name: 'Trigger + UPSERT (Migration 004)', claimedWriteLatency: '0.5-1 ms', claimedConsistency: '100 %', claimedScale: 'up to 100K users', documentVerdict: 'recommended' },
  { variant: '007', id: 'production-trigger', name: 'Migration 007 trigger, advisory lock', claimedWriteLatency: '0.5-1 ms', claimedConsistency: '100 %, "no lost updates"', claimedScale: '100-1K users today, up to 100K', documentVerdict: 'production-ready' },
  { variant: '3', id: 'materialized-view', name: 'Materialized view + REFRESH', claimedWriteLatency: '–', claimedConsistency: 'eventual', claimedScale: 'REFRESH blocks 10+ s', documentVerdict: 'analytics only' },
  { variant: '4', id: 'generated-column', name: 'Generated column with subquery', claimedWriteLatency: 'n/a', claimedConsistency: 'n/a', claimedScale: 'n/a', documentVerdict: 'does not work' },
  { variant: '5', id: 'count-star', name: 'COUNT(*) on every read', claimedWriteLatency: '– (read 50-200 ms)', claimedConsistency: 'always exact', claimedScale: 'does not scale', documentVerdict: 'admin tools only' },
  { variant: '6', id: 'redis-queue', name: 'Event-driven: Redis queue + sync', claimedWriteLatency: '0.08 ms', claimedConsistency: '99.9 % (1-60 s delay)', claimedScale: 'millions of users', documentVerdict: 'only above 5000 inserts/s' },
];
