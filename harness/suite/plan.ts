// The suite's plan: each phase with what it decides and how long it should take, printed before
// anything starts (the estimates are rough: the machine decides; results.json keeps each phase's
// estimate beside its real duration, so the next plan can be judged).
import type { Scenario } from '../config/types.ts';
import { strategyById } from '../strategies/index.ts';
import { loadSpecs, specApplies } from '../interleave/spec.ts';
import type { SuitePhaseSpec, Suite } from './types.ts';

// Rates of this 2-core machine, measured while others worked: seeding (README, bench:seed),
// a deployment's fixed cost, a drain, an interleaving spec per strategy (52 s for all 57 pairs
// with 4 lanes).
const SEED_ROWS_PER_S = 250_000;
const DEPLOY_S = 0.7;
const PER_ROUND_OVERHEAD_S = 1.5;
const DRAIN_S = 2;
const INTERLEAVE_PAIR_S = 3.6;
const INTERLEAVE_LANES = 4;
const REFRESH_MS_PER_MILLION = 350;
const BATCH_US_PER_ROW = { one: 600, many: 40 };

function seedRows(s: Scenario): number {
  const d = s.data;
  // users, sessions, answers, and the two counter tables
  return d.users * (3 + d.sessionsPerUser) + d.users * d.answersPerUser;
}

function deployS(s: Scenario, strategies: number): number {
  return strategies * (DEPLOY_S + seedRows(s) / SEED_ROWS_PER_S);
}

function loadS(s: Scenario, strategies: string[]): number {
  const perRound = strategies.reduce((a, id) => a + s.phases.warmupSeconds + s.phases.durationSeconds + PER_ROUND_OVERHEAD_S + (strategyById(id)?.jobs ? DRAIN_S : 0), 0);
  return perRound * s.rounds;
}

function withBaseline(s: Scenario): string[] {
  return s.strategies.includes('baseline') ? s.strategies : ['baseline', ...s.strategies];
}

export function estimatePhaseMs(p: SuitePhaseSpec): number {
  const s = p.scenario;
  let sec = 0;
  switch (p.kind) {
    case 'load': {
      const ids = p.baseline === false ? s!.strategies : withBaseline(s!);
      sec = deployS(s!, ids.length) + loadS(s!, ids);
      break;
    }
    case 'interleave': {
      const specs = loadSpecs().filter((x) => !p.specs || p.specs.includes(x.id));
      const pairs = p.strategies!.reduce((a, id) => a + specs.filter((x) => specApplies(x, strategyById(id)!)).length, 0);
      sec = (pairs * INTERLEAVE_PAIR_S) / INTERLEAVE_LANES + 3;
      break;
    }
    case 'refresh': {
      const sizes = p.refresh!.sizes;
      const last = sizes[sizes.length - 1];
      sec = deployS(s!, 1) + last / SEED_ROWS_PER_S + (p.refresh!.timings * sizes.reduce((a, n) => a + n, 0) * REFRESH_MS_PER_MILLION) / 1e9 + loadS(s!, s!.strategies);
      break;
    }
    case 'double-increment':
      sec = deployS(s!, 1) + 2 * loadS(s!, s!.strategies) + 2;
      break;
    case 'slow-inserts':
      sec = 2 * (deployS(s!, 1) + loadS(s!, s!.strategies) + 1);
      break;
    case 'bypass':
      sec = s!.strategies.length * (DEPLOY_S + 0.5) + deployS(s!, s!.strategies.length);
      break;
    case 'batch': {
      const b = p.batch!;
      const ids = withBaseline(s!);
      const perStrategy = b.methods.length * b.sizes.reduce((a, size) => a + (Math.max(size, b.rowsPerCell) * (size === 1 ? BATCH_US_PER_ROW.one : BATCH_US_PER_ROW.many)) / 1e6, 0);
      sec = deployS(s!, ids.length) + ids.length * (perStrategy + 0.5);
      break;
    }
  }
  return Math.round(sec * 1000);
}

export function fmtDuration(ms: number): string {
  const s = Math.round(ms / 1000);
  return s < 60 ? `${s}s` : `${Math.floor(s / 60)}m${String(s % 60).padStart(2, '0')}s`;
}

function phaseLine(p: SuitePhaseSpec): string {
  const s = p.scenario;
  switch (p.kind) {
    case 'load':
      return `${(p.baseline === false ? s!.strategies : withBaseline(s!)).length} strategies, ${s!.data.users} users x ${s!.data.answersPerUser} answers, ${s!.load.kind === 'open' ? `${s!.load.rate}/s open` : `${s!.load.clients} client${s!.load.clients === 1 ? '' : 's'}`}, ${s!.phases.durationSeconds} s x ${s!.rounds} round${s!.rounds === 1 ? '' : 's'}`;
    case 'interleave':
      return `${p.strategies!.length} strategies, ${p.specs ? p.specs.join(', ') : 'every spec'}`;
    case 'refresh':
      return `REFRESH at ${p.refresh!.sizes.join(', ')} rows, then ${s!.phases.durationSeconds} s of readers`;
    case 'batch':
      return `${withBaseline(s!).length} strategies, ${p.batch!.methods.join(' and ')} in transactions of ${p.batch!.sizes.join(', ')} rows`;
    case 'bypass':
      return `${s!.strategies.length} strategies, ${p.bypass!.rows} rows per path`;
    default:
      return `${s!.load.clients} client${s!.load.clients === 1 ? '' : 's'}, ${s!.phases.durationSeconds} s`;
  }
}

/** The plan as printed: one line per phase, then the total. */
export function renderPlan(suite: Suite, estimates: number[]): string {
  const total = estimates.reduce((a, b) => a + b, 0);
  const lines = [`suite ${suite.name}: ${suite.phases.length} phases, about ${fmtDuration(total)} (estimates)`];
  suite.phases.forEach((p, i) => {
    lines.push(`  ${String(i + 1).padStart(2)}. ${p.name.padEnd(18)} ${p.kind.padEnd(16)} ~${fmtDuration(estimates[i]).padStart(6)}  ${phaseLine(p)}${p.decides.length ? `; decides ${p.decides.join(', ')}` : ''}`);
  });
  return lines.join('\n');
}
