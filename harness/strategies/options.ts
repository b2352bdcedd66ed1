// The scenario options that belong to one strategy each, with their defaults: a scenario may
// leave them out (harness/config/scenario.ts fills them in from here), and so may a Scenario made
// in code, which the strategies then read through optionOf().
import type { Scenario } from '../config/types.ts';

export const STRATEGY_OPTION_DEFAULTS = {
  slots: 16,
  // measured (README, "What it compares"): by backend cost less server CPU per write than at
  // random under contention, the same without it
  slotPick: 'backend' as 'backend' | 'random',
  rollupIntervalMs: 1000,
  redisFlushIntervalMs: 1000,
};

type StrategyOptions = typeof STRATEGY_OPTION_DEFAULTS;

export function optionOf<K extends keyof StrategyOptions>(options: Scenario['options'], key: K): StrategyOptions[K] {
  return (options[key] as StrategyOptions[K] | undefined) ?? STRATEGY_OPTION_DEFAULTS[key];
}
