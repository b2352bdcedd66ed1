// One color per strategy, the same in every chart and table of every report and in every run,
// so a reader who learned "red is the manual UPDATE" once can follow it down the page and from
// one run's page to the next. The compiler holds every registered strategy to a color.
import type { Results } from '../harness/results/types.ts';
import type { StrategyId } from '../harness/strategies/registry.ts';

const COLORS: Record<StrategyId, string> = {
  baseline: '#7f7f7f',
  'manual-update': '#d62728',
  'trigger-upsert': '#1f77b4',
  'production-trigger': '#9467bd',
  'materialized-view': '#ff7f0e',
  'generated-column': '#8c564b',
  'count-star': '#2ca02c',
  'redis-queue': '#e377c2',
  'trigger-fixed': '#17becf',
  'statement-trigger': '#393b79',
  'deferred-trigger': '#6b6ecf',
  'sharded-counter': '#bcbd22',
  'delta-rollup': '#8c6d31',
  'redis-after-commit': '#7b4173',
  'app-read-modify-write': '#ff9896',
  'serializable-retry': '#637939',
};

// for ids no longer (or not yet) registered, e.g. in an older results.json: still the same color
// for the same id, whatever else the run had
const SPARE = ['#aec7e8', '#ffbb78', '#98df8a', '#c5b0d5', '#c49c94', '#f7b6d2', '#dbdb8d', '#9edae5'];

export function colorOf(id: string): string {
  if (Object.hasOwn(COLORS, id)) return COLORS[id as StrategyId];
  let h = 0;
  for (const ch of id) h = (h * 31 + ch.charCodeAt(0)) >>> 0;
  return SPARE[h % SPARE.length];
}

export interface StrategyPalette {
  domain: string[];
  range: string[];
  colorOf(id: string): string;
}

export function strategyPalette(results: Results): StrategyPalette {
  const domain = [...new Set(results.strategies.map((s) => s.id))];
  return { domain, range: domain.map(colorOf), colorOf };
}
