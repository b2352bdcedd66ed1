// `counterbench capacity`, the whole of it: the targets, then for each data size every strategy
// deployed side by side (the previous size's schemas dropped first, so the server holds one size
// at a time), one rate search per strategy within its share of the budget, and results.json with
// the capacity section. Cleans up whatever happens; on Ctrl-C keeps the steps measured so far,
// marked interrupted. What it needs of the engine under `run` goes through engine.ts only.
import path from 'node:path';
import type { Scenario } from '../config/types.ts';
import { capacityStepLoad } from '../config/scenario.ts';
import { SCHEMA_VERSION, type CapacityResult, type CapacitySearch, type CapacityStep, type Results, type StrategyResult, type StrategyStatus } from '../results/types.ts';
import type { Strategy } from '../strategies/types.ts';
import { strategyById } from '../strategies/index.ts';
import { redisPrefixFor } from '../strategies/redis-keys.ts';
import { schemaFor } from '../db/schema-name.ts';
import { newRunId } from '../run/run-id.ts';
import type { LiveStats } from '../load/driver.ts';
import { Budget, SearchClock, deployReserveMs } from './budget.ts';
import { searchKnees, kneeOf, type SearchPlan } from './search.ts';
import { judgeStep, MAX_ERROR_PCT, MAX_SHORTFALL_PCT } from './verdict.ts';
import { writeResultsFile } from '../run/write-results.ts';
import { deploySize, openTargets, prepareStrategy, runStep, undeploy, type SizedEntry, type StepTarget, type Targets } from './engine.ts';
import { addHeadroom } from './headroom.ts';

export interface CapacityProgress {
  strategy: string;
  users: number;
  /** 1-based step of this search, and its offered rate */
  step: number;
  rate: number;
  live: LiveStats;
  budgetLeftMs: number;
}

export interface CapacityOptions {
  /** a capacity scenario (loadCapacityScenario) */
  scenario: Scenario;
  /** strategy objects to search instead of the scenario's ids (tests: a synthetic server); used
   *  exactly as given, baseline is not added */
  strategies?: Strategy[];
  outDir?: string;
  databaseUrl?: string;
  env?: NodeJS.ProcessEnv;
  keep?: boolean;
  /** schemas are counterbench_<namespace>_<id> (default namespace "capacity") */
  namespace?: string;
  signal?: AbortSignal;
  /** human-readable lines: deployments and each step's verdict */
  log?: (line: string) => void;
  /** what the user must know even with --json: leftovers, fallbacks */
  warn?: (line: string) => void;
  onProgress?: (p: CapacityProgress) => void;
}

export interface CapacityOutcome {
  results: Results;
  resultsPath: string;
  outDir: string;
}

const rate = (n: number) => (n >= 100 ? Math.round(n).toLocaleString('en-US') : String(n));
const ms = (n: number) => (n >= 100 ? String(Math.round(n)) : n.toFixed(1));

function stepLine(s: CapacityStep, slo: number[]): string {
  const verdict = slo.map((l) => `${l}ms ${s.passed[String(l)] ? 'pass' : 'FAIL'}`).join(', ');
  const extra = [...s.causes, ...(s.harnessLimited ? ['harness-limited'] : [])];
  return `    step ${s.index}: ${rate(s.offeredRate)}/s -> ${rate(Math.round(s.achievedRate))}/s, p99 ${ms(s.latencyMs.p99)} ms, ${s.clients} conns: ${verdict}${extra.length ? ` (${extra.join(', ')})` : ''}`;
}

/** The strategy's status over every size: the first that did not go well, else ok. */
function overallStatus(searches: CapacitySearch[]): { status: StrategyStatus; reason?: string } {
  for (const st of ['failed', 'not-deployable', 'skipped'] as const) {
    const s = searches.find((x) => x.status === st);
    if (s) return { status: st, reason: `${s.users} users: ${s.reason ?? st}` };
  }
  return { status: 'ok' };
}

export async function capacity(o: CapacityOptions): Promise<CapacityOutcome> {
  const s = o.scenario;
  const spec = s.capacity;
  if (!spec) throw new Error('capacity() needs a capacity scenario (loadCapacityScenario)');
  const log = o.log ?? (() => {});
  const runId = newRunId();
  const startedAt = new Date().toISOString();
  const outDir = o.outDir ?? path.join('out', runId);
  const env = o.env ?? process.env;
  const namespace = o.namespace ?? 'capacity';
  const aborted = () => o.signal?.aborted === true;

  // every strategy's knee is read beside the bare INSERT's, measured the same way
  const strategies: Strategy[] =
    o.strategies ??
    (s.strategies.includes('baseline') ? s.strategies : ['baseline', ...s.strategies]).map((id) => {
      const st = strategyById(id);
      if (!st) throw new Error(`unknown strategy ${id}`); // the scenario validator names it first
      return st;
    });
  const ids = strategies.map((x) => x.id);
  const plan: SearchPlan = { sloP99Ms: spec.sloP99Ms, startRate: spec.startRate, growth: spec.growth, tolerance: spec.tolerance, maxRate: spec.maxRate };
  const mixTotal = s.mix.write + s.mix.read + s.mix.delete;
  const result: CapacityResult = {
    settings: {
      users: spec.users,
      sloP99Ms: spec.sloP99Ms,
      budgetMs: spec.budgetMs,
      startRate: spec.startRate,
      growth: spec.growth,
      tolerance: spec.tolerance,
      warmupSeconds: spec.warmupSeconds,
      windowSeconds: spec.windowSeconds,
      maxRate: spec.maxRate,
      maxClients: spec.maxClients,
      maxErrorPct: MAX_ERROR_PCT,
      maxShortfallPct: MAX_SHORTFALL_PCT,
      writeShare: s.mix.write / mixTotal,
    },
    usedMs: 0,
    searches: spec.users.flatMap((users) =>
      strategies.map((st): CapacitySearch => ({
        strategy: st.id,
        users,
        status: 'not-started',
        reason: 'the budget ran out before this search could begin',
        budgetMs: 0,
        usedMs: 0,
        knees: plan.sloP99Ms.map((slo) => kneeOf([], slo, 'done', plan)),
        steps: [],
      })),
    ),
  };
  const budget = new Budget(spec.budgetMs);
  const stepMs = (spec.warmupSeconds + spec.windowSeconds) * 1000;

  let targets: Targets | undefined;
  let deployed: SizedEntry[] = [];
  try {
    targets = await openTargets({ databaseUrl: o.databaseUrl, env, namespace, needsRedis: strategies.some((x) => x.needsRedis), log, warn: o.warn ?? log });
    const t = targets;

    let msPerUser: number | undefined;
    for (const [sizeIndex, users] of spec.users.entries()) {
      if (aborted()) break;
      const searches = result.searches.filter((x) => x.users === users);
      const reserve = () => deployReserveMs(msPerUser, spec.users.slice(sizeIndex + 1));
      // not even one step per search of this size fits after deploying it: leave them not
      // started, deploy nothing
      const searchesLeft = result.searches.filter((x) => x.users >= users).length;
      if (budget.share(searchesLeft, deployReserveMs(msPerUser, spec.users.slice(sizeIndex))) < stepMs) continue;

      // one size at a time on the server
      await undeploy(t, deployed, o.keep ?? false);
      deployed = [];
      const data = { ...s.data, users };
      const sized: Scenario = { ...s, data };
      const entries: SizedEntry[] = strategies.map((strategy) => ({
        strategy,
        ctx: { schema: schemaFor(strategy.id, namespace), redisPrefix: redisPrefixFor(runId, strategy.id), users, options: s.options },
        result: { status: 'ok' },
      }));
      const deployStarted = Date.now();
      log(`${users.toLocaleString('en-US')} users: deploying ${ids.join(', ')}`);
      await deploySize(t, entries, data, {
        signal: o.signal,
        log,
        touched: (e) => deployed.push(e),
        deployed: (e, d) => {
          searches.find((x) => x.strategy === e.strategy.id)!.seed = { rows: d.seedRows, ms: Math.round(d.seedMs) };
        },
      });
      msPerUser = (Date.now() - deployStarted) / users;
      // what did not deploy is settled first, so that the budget is shared among the rest
      for (const e of entries) {
        if (e.result.status === 'ok') continue;
        const search = searches.find((x) => x.strategy === e.strategy.id)!;
        search.status = e.result.status === 'not-deployable' || e.result.status === 'skipped' ? e.result.status : 'failed';
        search.reason = e.result.reason;
      }

      for (const e of entries) {
        if (e.result.status !== 'ok') continue;
        const search = searches.find((x) => x.strategy === e.strategy.id)!;
        if (aborted()) break;
        const left = result.searches.filter((x) => x.users > users || (x.users === users && x.status === 'not-started')).length;
        const share = budget.share(left, reserve());
        if (share < stepMs) continue; // stays not-started, with its reason
        search.budgetMs = Math.round(share);
        await runSearch(t, e, search, sized, share);
      }
    }

    async function runSearch(t: Targets, e: SizedEntry, search: CapacitySearch, sized: Scenario, share: number) {
      const clock = new SearchClock(share, stepMs, budget);
      let target: StepTarget | undefined;
      try {
        target = await prepareStrategy(t, e, sized);
        const ready = target;
        let lowestServiceMs = Infinity;
        log(`  ${e.strategy.id} at ${search.users.toLocaleString('en-US')} users: ${Math.round(share / 1000)} s of the budget`);
        const outcome = await searchKnees(plan, {
          aborted,
          canStep: () => clock.canStep(),
          measure: async (r) => {
            const index = search.steps.length + 1;
            const m = await runStep(ready, capacityStepLoad(spec!, r), {
              warmupSeconds: spec!.warmupSeconds,
              windowSeconds: spec!.windowSeconds,
              signal: o.signal,
              onProgress: o.onProgress
                ? (live) => o.onProgress!({ strategy: e.strategy.id, users: search.users, step: index, rate: r, live, budgetLeftMs: budget.leftMs() })
                : undefined,
            });
            clock.stepTook(m.wallMs);
            const service = m.ops.write?.serviceTimeMs?.mean;
            if (service !== undefined && service > 0) lowestServiceMs = Math.min(lowestServiceMs, service);
            const judged = judgeStep(m, { index, sloP99Ms: plan.sloP99Ms, lowestServiceMs });
            // kept as it goes, so that a failure later still finds it in the results
            search.steps.push(judged);
            if (!aborted()) log(stepLine(judged, plan.sloP99Ms));
            return judged;
          },
        });
        search.steps = outcome.steps;
        search.knees = outcome.knees;
        search.status = outcome.status;
        search.reason =
          outcome.status === 'unfinished'
            ? 'its share of the budget ran out: each knee is the best passing rate so far'
            : outcome.status === 'interrupted'
              ? 'interrupted: the steps measured before Ctrl-C are kept'
              : undefined;
      } catch (err) {
        search.status = 'failed';
        search.reason = `load failed at step ${search.steps.length + 1}: ${(err as Error).message}`;
        search.knees = plan.sloP99Ms.map((slo) => kneeOf(search.steps, slo, 'unfinished', plan));
      } finally {
        search.usedMs = clock.usedMs();
        await target?.close();
      }
    }

    result.usedMs = budget.usedMs();
    if (aborted()) {
      result.interrupted = true;
      for (const x of result.searches) {
        if (x.status !== 'not-started') continue;
        x.status = 'interrupted';
        x.reason = 'interrupted before this search began';
        x.knees = plan.sloP99Ms.map((slo) => kneeOf([], slo, 'interrupted', plan));
      }
    }
    if (spec.profile) addHeadroom(result, spec.profile, ids);

    const strategyResults: StrategyResult[] = strategies.map((st) => ({
      id: st.id,
      title: st.title,
      origin: st.origin,
      ...overallStatus(result.searches.filter((x) => x.strategy === st.id)),
      counters: st.counters.map((c) => c.name),
      ops: {},
    }));
    const results: Results = {
      schemaVersion: SCHEMA_VERSION,
      run: {
        id: runId,
        startedAt,
        finishedAt: new Date().toISOString(),
        interrupted: aborted() || undefined,
        scenario: { ...s, strategies: ids },
        environment: t.environment,
        thresholds: [],
      },
      strategies: strategyResults,
      capacity: result,
    };
    const written = writeResultsFile(results, outDir);
    if (written.fallback) (o.warn ?? log)(written.fallback);
    return { results, resultsPath: written.path, outDir: path.dirname(written.path) };
  } finally {
    if (targets) await undeploy(targets, deployed, o.keep ?? false);
    await targets?.close();
  }
}
