// What every chart module returns, and the pieces they share: the strategy color scale (so a
// strategy has one color on the whole page) and the page's chart look.
import type { StrategyPalette } from '../../strategy-colors.ts';

/** A vega-lite spec, kept loose: the browser test renders every one and fails on any error. */
export type VegaLiteSpec = Record<string, unknown>;

export interface Chart {
  /** element id of its container, unique on the page */
  id: string;
  title: string;
  spec: VegaLiteSpec;
  /** one sentence under the chart: how to read it */
  caption?: string;
}

export function strategyColor(palette: StrategyPalette, title = 'strategy'): Record<string, unknown> {
  return {
    field: 'strategy',
    type: 'nominal',
    title,
    scale: { domain: palette.domain, range: palette.range },
    legend: null,
  };
}

export function baseSpec(description: string): VegaLiteSpec {
  return {
    $schema: 'https://vega.github.io/schema/vega-lite/v6.json',
    description,
    width: 'container',
    background: 'transparent',
    config: {
      font: 'system-ui, -apple-system, "Segoe UI", Roboto, sans-serif',
      axis: { labelFontSize: 11, titleFontSize: 12, titleFontWeight: 600, gridColor: '#e6e6e6' },
      legend: { labelFontSize: 11, titleFontSize: 12, orient: 'bottom' },
      view: { stroke: null },
    },
  };
}

/** A safe element id from any text. */
export function chartId(...parts: string[]): string {
  return 'chart-' + parts.join('-').toLowerCase().replace(/[^a-z0-9-]+/g, '-');
}

/** Height for a chart with one band per category. A fixed height, not vega-lite's `step`: a step
 *  height beside a container width makes vega-lite warn on every render. */
export function bandHeight(categories: number, perBand: number): number {
  return Math.max(1, categories) * perBand;
}

/** Where a per-second series point sits on a time axis shared with events: second t covers
 *  [t, t + 1), so an event at 2.3 s falls beside the point of second 2. */
export function secondMiddle(t: number): number {
  return t + 0.5;
}
