// The measured part of a run: every deployed strategy in turn, round after round, in rotating
// order so that drift of the machine over time falls on every strategy alike. A fault fails only
// the strategy that was running when it hit; an interruption marks the one cut short and those
// that never had their turn.
import type { RunMetrics } from '../metrics/run-metrics.ts';
import type { Scenario } from '../config/types.ts';
import type { RoundResult, StrategyResult } from '../results/types.ts';
import type { Strategy, StrategyContext } from '../strategies/types.ts';
import { reconnecting, type Reconnecting } from '../db/reconnecting.ts';
import { Ledger } from '../measure/ledger.ts';
import { truthByUser } from '../measure/drift.ts';
import { classifyError } from '../load/error-kind.ts';
import type { LiveStats } from '../load/driver.ts';
import { checkConnectionName, runStrategyPhase, type StrategyPhaseResult } from './strategy-phase.ts';
import type { Targets } from './targets.ts';

/** A strategy of the run, before or without deployment. */
export interface Planned {
  strategy: Strategy;
  ctx: StrategyContext;
  result: StrategyResult;
  /** 'http': its load goes through an in-process serve (load.via http or both) */
  via?: 'http';
}

/** A deployed strategy, ready for load. */
export interface Live extends Planned {
  /** in the strategy's schema, for the checks */
  check: Reconnecting;
  ledger: Ledger;
  rounds: RoundResult[];
}

export async function goLive(e: Planned, url: string, s: Scenario): Promise<Live> {
  const check = await reconnecting(url, { schema: e.ctx.schema, applicationName: checkConnectionName(e.strategy.id) });
  return { ...e, check, ledger: new Ledger(s.data.users, await truthByUser(await check.get())), rounds: [] };
}

export interface RoundsOptions {
  scenario: Scenario;
  targets: Targets;
  signal?: AbortSignal;
  log: (line: string) => void;
  onProgress?: (strategy: string, round: number, s: LiveStats) => void;
  /** the run's /metrics (run --metrics-port) */
  metrics?: RunMetrics;
}

/** Folds one finished phase into the strategy's result: the last round's series, drift and
 *  server figures, every round's main figures. */
function record(e: Live, round: number, r: StrategyPhaseResult): void {
  e.rounds.push({ round, ops: r.phase.ops, server: { walBytesPerWrite: r.server.walBytesPerWrite, deadTuplesPerWrite: r.server.deadTuplesPerWrite } });
  const res = e.result;
  res.series = r.phase.series;
  res.drift = {
    consistent: r.counters.every((c) => c.usersInconsistent === 0),
    convergeMs: r.convergeMs,
    counters: r.counters,
    timeline: r.timeline,
    sampler: r.sampler ?? undefined,
    reads: r.phase.reads ?? undefined,
    ledger: {
      inDoubt: e.ledger.inDoubt,
      acknowledgedInserts: e.ledger.totalInsAcked,
      acknowledgedDeletes: e.ledger.totalDelAcked,
      writeOverlaps: e.ledger.writeOverlaps,
    },
  };
  res.events = r.events;
  if (r.http) res.http = r.http;
  res.server = r.server;
  if (r.faults.length) res.faults = [...(res.faults ?? []), ...r.faults];
  if (r.checkError) {
    // the load's figures stand; the counters are not judged
    res.drift = undefined;
    res.status = 'failed';
    res.reason = `round ${round}: ${r.checkError}`;
  }
  res.harnessSaturated = (res.harnessSaturated ?? false) || r.phase.harness.saturated;
  res.harness = r.phase.harness;
  res.reconnects = (res.reconnects ?? 0) + r.phase.reconnects;
  res.droppedArrivals = (res.droppedArrivals ?? 0) + r.phase.droppedArrivals;
}

/** Why a phase failed, in the reader's terms: a lost server is a fault, not the strategy's. */
function failure(round: number, err: unknown): string {
  const msg = (err as Error).message ?? String(err);
  if (classifyError(err).kind === 'connection') return `fault in round ${round}: the connection to Postgres was lost (${msg})`;
  return `load failed in round ${round}: ${msg}`;
}

export async function runRounds(live: Live[], o: RoundsOptions): Promise<void> {
  const s = o.scenario;
  const aborted = () => o.signal?.aborted === true;
  rounds: for (let round = 1; round <= s.rounds && !aborted(); round++) {
    const order = live.map((_, i) => live[(i + round - 1) % live.length]);
    for (const e of order) {
      if (aborted()) break rounds;
      if (e.result.status !== 'ok') continue; // failed in an earlier round: its reason stands
      o.log(`round ${round}/${s.rounds}: ${e.strategy.id}`);
      try {
        // a server that went away during the last strategy gets its chance to come back here
        await o.targets.admin.get();
      } catch (err) {
        for (const rest of live) {
          if (rest.result.status !== 'ok') continue;
          rest.result.status = rest.rounds.length ? 'failed' : 'not-run';
          rest.result.reason = `Postgres could not be reached before round ${round}: ${(err as Error).message}`;
        }
        return;
      }
      try {
        const r = await runStrategyPhase({
          strategy: e.strategy,
          ctx: e.ctx,
          pgUrl: o.targets.pg.url,
          redisUrl: o.targets.redis?.target.url,
          scenario: s,
          ledger: e.ledger,
          seed: s.seed + round,
          check: e.check,
          admin: o.targets.admin,
          redis: o.targets.redis?.client,
          redisWatch: o.targets.redis?.watch,
          round,
          via: e.via,
          faults: {
            specs: s.faults,
            restartPostgres: o.targets.pg.restart && (() => o.targets.pg.restart!()),
            restartRedis: o.targets.redis?.target.restart && (() => o.targets.redis!.target.restart!()),
          },
          signal: o.signal,
          onProgress: o.onProgress ? (p) => o.onProgress!(e.strategy.id, round, p) : undefined,
          metrics: o.metrics,
          metricsLabel: e.result.id,
        });
        record(e, round, r);
        if (aborted()) {
          e.result.status = 'interrupted';
          e.result.reason = `interrupted (Ctrl-C) during round ${round} of ${s.rounds}: figures cover the part that ran`;
        }
      } catch (err) {
        e.result.status = aborted() ? 'interrupted' : 'failed';
        e.result.reason = aborted() ? `interrupted (Ctrl-C) during round ${round} of ${s.rounds}, before its figures were taken` : failure(round, err);
      }
    }
  }
  if (!aborted()) return;
  for (const e of live) {
    if (e.result.status !== 'ok' || e.rounds.length === s.rounds) continue;
    if (e.rounds.length) {
      e.result.status = 'interrupted';
      e.result.reason = `interrupted (Ctrl-C) after ${e.rounds.length} of ${s.rounds} rounds: figures cover the rounds that ran`;
    } else {
      e.result.status = 'not-run';
      e.result.reason = 'interrupted (Ctrl-C) before its turn';
    }
  }
}
