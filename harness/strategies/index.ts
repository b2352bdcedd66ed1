// Every strategy of the analysis, in the order reports list them.
import type { Strategy } from './types.ts';
import { baseline } from './baseline.ts';
import { manualUpdate } from './manual-update.ts';
import { triggerUpsert } from './trigger-upsert.ts';
import { productionTrigger } from './production-trigger.ts';
import { materializedView } from './materialized-view.ts';
import { generatedColumn } from './generated-column.ts';
import { countStar } from './count-star.ts';
import { redisQueue } from './redis-queue.ts';

export const STRATEGIES: readonly Strategy[] = [
  baseline,
  manualUpdate,
  triggerUpsert,
  productionTrigger,
  materializedView,
  generatedColumn,
  countStar,
  redisQueue,
];

export function strategyById(id: string): Strategy | undefined {
  return STRATEGIES.find((s) => s.id === id);
}
