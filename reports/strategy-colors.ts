// One color per strategy, the same in every chart and table of every report, so a reader who
// learned "red is the manual UPDATE" once can follow it down the page.
import type { Results } from '../harness/results/types.ts';

const KNOWN: Record<string, string> = {
  baseline: '#7f7f7f',
  'manual-update': '#d62728',
  'trigger-upsert': '#1f77b4',
  'production-trigger': '#9467bd',
  'materialized-view': '#ff7f0e',
  'generated-column': '#8c564b',
  'count-star': '#2ca02c',
  'redis-queue': '#e377c2',
};

const SPARE = ['#17becf', '#bcbd22', '#393b79', '#637939', '#8c6d31', '#843c39', '#7b4173', '#3182bd'];

export interface StrategyPalette {
  domain: string[];
  range: string[];
  colorOf(id: string): string;
}

export function strategyPalette(results: Results): StrategyPalette {
  const domain: string[] = [];
  const range: string[] = [];
  let spare = 0;
  for (const s of results.strategies) {
    if (domain.includes(s.id)) continue;
    domain.push(s.id);
    range.push(KNOWN[s.id] ?? SPARE[spare++ % SPARE.length]);
  }
  return {
    domain,
    range,
    colorOf: (id) => range[domain.indexOf(id)] ?? '#444444',
  };
}
