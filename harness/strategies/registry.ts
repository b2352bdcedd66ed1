// The one list of strategies. Its keys are the strategy ids a scenario, --strategies and the
// reports know, in the order `all` measures them; nothing else keeps a list of ids. The compiler
// checks it both ways: a module filed under another key than its own id does not compile, and
// neither does anything that names an id (a color, a claim of the analysis) missing from here.
import type { Strategy } from './types.ts';
import { baseline } from './baseline.ts';
import { manualUpdate } from './manual-update.ts';
import { triggerUpsert } from './trigger-upsert.ts';
import { productionTrigger } from './production-trigger.ts';
import { materializedView } from './materialized-view.ts';
import { generatedColumn } from './generated-column.ts';
import { countStar } from './count-star.ts';
import { redisQueue } from './redis-queue.ts';
import { triggerFixed } from './trigger-fixed.ts';
import { statementTrigger } from './statement-trigger.ts';
import { deferredTrigger } from './deferred-trigger.ts';
import { shardedCounter } from './sharded-counter.ts';
import { deltaRollup } from './delta-rollup.ts';
import { redisAfterCommit } from './redis-after-commit.ts';
import { appReadModifyWrite } from './app-read-modify-write.ts';
import { serializableRetry } from './serializable-retry.ts';

export const REGISTRY = {
  baseline,
  'manual-update': manualUpdate,
  'trigger-upsert': triggerUpsert,
  'production-trigger': productionTrigger,
  'materialized-view': materializedView,
  'generated-column': generatedColumn,
  'count-star': countStar,
  'redis-queue': redisQueue,
  'trigger-fixed': triggerFixed,
  'statement-trigger': statementTrigger,
  'deferred-trigger': deferredTrigger,
  'sharded-counter': shardedCounter,
  'delta-rollup': deltaRollup,
  'redis-after-commit': redisAfterCommit,
  'app-read-modify-write': appReadModifyWrite,
  'serializable-retry': serializableRetry,
};

export type StrategyId = keyof typeof REGISTRY;

// each module under its own id: `'trigger-upsert': productionTrigger` fails to compile here
REGISTRY satisfies { [Id in StrategyId]: Strategy<Id> };

/** Every id, in the registry's order. */
export const ALL_STRATEGY_IDS = Object.keys(REGISTRY) as StrategyId[];

/** Every strategy, in the registry's order. */
export const STRATEGIES: readonly Strategy[] = Object.values(REGISTRY);

export function isStrategyId(s: string): s is StrategyId {
  return Object.hasOwn(REGISTRY, s);
}

export function strategyById(id: string): Strategy | undefined {
  return isStrategyId(id) ? REGISTRY[id] : undefined;
}
