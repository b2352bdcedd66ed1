// The strategies, from their registry (registry.ts).
export { ALL_STRATEGY_IDS, STRATEGIES, isStrategyId, strategyById, type StrategyId } from './registry.ts';
