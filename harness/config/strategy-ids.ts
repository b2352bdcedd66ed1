// The strategy ids a scenario may name, in the order `all` measures them. Kept apart from the
// strategy modules so that validating a scenario does not load Postgres or Redis code.
export const ALL_STRATEGY_IDS = [
  'baseline',
  'manual-update',
  'trigger-upsert',
  'production-trigger',
  'materialized-view',
  'generated-column',
  'count-star',
  'redis-queue',
] as const;

export type StrategyId = (typeof ALL_STRATEGY_IDS)[number];

export function isStrategyId(s: string): s is StrategyId {
  return (ALL_STRATEGY_IDS as readonly string[]).includes(s);
}
