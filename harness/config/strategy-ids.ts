// The strategy ids a scenario may name: the registry's keys (harness/strategies/registry.ts),
// never a list of their own.
export { ALL_STRATEGY_IDS, isStrategyId, type StrategyId } from '../strategies/registry.ts';
