// Small HTML builders for the page. Every argument named `text` is escaped here; arguments named
// `html` are markup built by these same helpers.
import { escapeHtml } from '../safe-text.ts';
import type { StrategyPalette } from '../strategy-colors.ts';
import type { Chart } from './charts/chart.ts';

export const esc = escapeHtml;

export interface Column {
  text: string;
  num?: boolean;
}

/** A table that scrolls sideways on a narrow screen instead of squeezing its numbers. */
export function table(columns: Column[], rowsHtml: string[][], caption?: string): string {
  const head = columns.map((c) => `<th${c.num ? ' class="num"' : ''} scope="col">${esc(c.text)}</th>`).join('');
  const body = rowsHtml
    .map((cells) => `<tr>${cells.map((h, i) => `<td${columns[i]?.num ? ' class="num"' : ''}>${h}</td>`).join('')}</tr>`)
    .join('\n');
  return (
    `<div class="table-wrap"><table>${caption ? `<caption class="caption">${esc(caption)}</caption>` : ''}` +
    `<thead><tr>${head}</tr></thead><tbody>\n${body}\n</tbody></table></div>`
  );
}

export function strategyLabel(palette: StrategyPalette, id: string): string {
  return `<span class="nowrap"><span class="swatch" style="background:${esc(palette.colorOf(id))}"></span><code>${esc(id)}</code></span>`;
}

export type Tone = 'good' | 'bad' | 'warn' | 'muted';

export function badge(tone: Tone, text: string): string {
  return `<span class="badge ${tone}">${esc(text)}</span>`;
}

export function chartFigure(chart: Chart): string {
  return (
    `<figure class="chart"><figcaption>${esc(chart.title)}</figcaption>` +
    `<div class="chart-box" id="${esc(chart.id)}" data-chart></div>` +
    (chart.caption ? `<p class="caption">${esc(chart.caption)}</p>` : '') +
    `</figure>`
  );
}

export function notMeasured(what: string): string {
  return `<p class="muted">${esc(what)}: not measured in this run.</p>`;
}

/** One section's markup and the charts its containers wait for. */
export interface SectionOut {
  html: string;
  charts: Chart[];
}

export function section(id: string, title: string, inner: string): string {
  return `<section id="${esc(id)}" aria-labelledby="${esc(id)}-h"><h2 id="${esc(id)}-h">${esc(title)}</h2>\n${inner}\n</section>`;
}
