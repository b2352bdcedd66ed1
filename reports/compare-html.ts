// compare.html: one self-contained page like report.html (vega-lite inlined). The verdict first,
// then every significant change with both runs' rounds as box plots, the drift the ledger does not
// explain, and every figure in a table.
import { fmtChange } from './format.ts';
import { escapeHtml as esc, jsonForScript } from './safe-text.ts';
import { STYLES } from './html/styles.ts';
import { BOOT } from './html/render.ts';
import { vendorScripts } from './html/vendor.ts';
import { baseSpec, chartId, type Chart } from './html/charts/chart.ts';
import { chartFigure } from './html/markup.ts';
import { fmtInterval, fmtValue, headerLines, regressionCount, verdictLine, type Comparison, type FigureChange } from './compare.ts';
import { significantChanges } from './compare-markdown.ts';

/** Both runs' per-round samples of one figure, as box plots with every round as a point. */
function distributionChart(f: FigureChange, i: number): Chart | null {
  if (!f.samples) return null;
  const values = [...f.samples.a.map((v) => ({ run: 'A', value: v })), ...f.samples.b.map((v) => ({ run: 'B', value: v }))];
  const y = { field: 'value', type: 'quantitative', title: f.figure, scale: { zero: false } };
  const x = { field: 'run', type: 'nominal', title: null, axis: { labelAngle: 0 } };
  const color = { field: 'run', type: 'nominal', scale: { domain: ['A', 'B'], range: ['#5f7d95', '#c8553d'] }, legend: null };
  return {
    id: chartId('compare', String(i), f.strategy, f.figure),
    title: `${f.strategy} ${f.figure}`,
    spec: {
      ...baseSpec(`${f.strategy} ${f.figure}: per-round samples of A and B`),
      height: 180,
      data: { values },
      layer: [
        { mark: { type: 'boxplot', extent: 'min-max', opacity: 0.5 }, encoding: { x, y, color } },
        { mark: { type: 'point', filled: true, size: 40 }, encoding: { x, y, color, xOffset: { value: 0 } } },
      ],
    },
    caption: 'Each point is one round; the box spans the middle half, the line inside it is the median.',
  };
}

function row(f: FigureChange): string {
  const badge =
    f.verdict === 'regression'
      ? '<span class="badge bad">regression</span>'
      : f.verdict === 'improvement'
        ? '<span class="badge good">better</span>'
        : f.verdict === 'not judged'
          ? ''
          : `<span class="muted">${esc(f.verdict)}</span>`;
  return (
    `<tr><td><code>${esc(f.figure)}</code></td><td class="num">${esc(fmtValue(f, f.a))}</td><td class="num">${esc(fmtValue(f, f.b))}</td>` +
    `<td class="num">${esc(f.a === null || f.b === null ? '' : fmtChange(f.changePct))}</td><td class="num">${esc(fmtInterval(f))}</td><td>${badge}${f.note ? ` <span class="muted">${esc(f.note)}</span>` : ''}</td></tr>`
  );
}

export function renderCompareHtml(c: Comparison): string {
  const n = regressionCount(c);
  const sig = significantChanges(c);
  const charts: Chart[] = [];
  const changeBlocks = sig
    .map((f, i) => {
      const chart = distributionChart(f, i);
      if (chart) charts.push(chart);
      return (
        `<div class="card${f.regression ? ' bad' : ''}"><h3><code>${esc(f.strategy)}</code> ${esc(f.figure)}</h3>` +
        `<p>${esc(fmtValue(f, f.a))} → ${esc(fmtValue(f, f.b))} (${esc(fmtChange(f.changePct))}, ${esc(c.method.confidence * 100)} % interval ${esc(fmtInterval(f))}): <strong>${esc(f.verdict)}</strong></p>` +
        (chart ? chartFigure(chart) : '') +
        '</div>'
      );
    })
    .join('\n');
  const driftRows = c.drift
    .filter((d) => d.verdict !== 'unchanged')
    .map(
      (d) =>
        `<li><code>${esc(d.strategy)}</code> ${esc(d.counter)}: ${esc(d.reason)}${d.verdict === 'regression' ? ' <span class="badge bad">regression</span>' : d.verdict === 'improvement' ? ' <span class="badge good">better</span>' : ''}</li>`,
    );
  const byStrategy = new Map<string, FigureChange[]>();
  for (const f of c.figures) byStrategy.set(f.strategy, [...(byStrategy.get(f.strategy) ?? []), f]);
  const th = (t: string, num = false): string => `<th${num ? ' class="num"' : ''}>${esc(t)}</th>`;
  const tables = [...byStrategy]
    .map(
      ([id, figs]) =>
        `<h3><code>${esc(id)}</code></h3><div class="table-wrap"><table><thead><tr>${th('figure')}${th('A', true)}${th('B', true)}${th('change', true)}${th('interval', true)}${th('')}</tr></thead><tbody>` +
        figs.map(row).join('') +
        '</tbody></table></div>',
    )
    .join('\n');
  const statusRows = c.statusChanges.map((s) => `<li><code>${esc(s.strategy)}</code> status ${esc(s.a)} → ${esc(s.b)}${s.regression ? ' <span class="badge bad">regression</span>' : ''}</li>`);
  const [envLine, ...rest] = c.environment.differences.length ? headerLines(c) : ['', ...headerLines(c)];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>counterbench compare: ${esc(c.a.runId)} vs ${esc(c.b.runId)}</title><style>${STYLES}</style></head>
<body><header class="page"><h1>counterbench: two runs compared</h1>
${envLine ? `<div class="banner">${esc(envLine)}</div>` : ''}
${rest.map((l) => `<p>${esc(l)}</p>`).join('\n')}</header>
<main><section id="verdict"><h2>Verdict</h2>
<p class="lead">${esc(verdictLine(c))}.</p>
${n ? `<div class="card bad"><ul>${[...c.regressions.map((f) => `<li><code>${esc(f.strategy)}</code> ${esc(f.figure)}: ${esc(fmtValue(f, f.a))} → ${esc(fmtValue(f, f.b))} (${esc(fmtChange(f.changePct))}, interval ${esc(fmtInterval(f))})</li>`), ...c.drift.filter((d) => d.verdict === 'regression').map((d) => `<li><code>${esc(d.strategy)}</code> ${esc(d.counter)}: ${esc(d.reason)}</li>`), ...statusRows.filter((r) => r.includes('badge bad'))].join('')}</ul></div>` : ''}
${(c.claimChanges ?? []).length ? `<h3>Claims whose verdict changed</h3><ul>${c.claimChanges.map((x) => `<li><code>${esc(x.id)}</code>: ${esc(x.a)} → <strong>${esc(x.b)}</strong>${x.phaseB ? ` <span class="muted">(phase ${esc(x.phaseB)})</span>` : ''} <span class="badge warn">verdict changed</span></li>`).join('')}</ul>` : ''}
${c.onlyInA.length ? `<p class="muted">Only in A: ${esc(c.onlyInA.join(', '))}</p>` : ''}
${c.onlyInB.length ? `<p class="muted">Only in B: ${esc(c.onlyInB.join(', '))}</p>` : ''}
</section>
<section id="changes"><h2>Significant changes</h2>${changeBlocks || '<p>No figure changed significantly.</p>'}</section>
<section id="drift"><h2>Drift against the ledger</h2>${driftRows.length ? `<ul>${driftRows.join('')}</ul>` : '<p>Every counter exact in both runs, or no counters.</p>'}
${statusRows.length ? `<h3>Status</h3><ul>${statusRows.join('')}</ul>` : ''}</section>
<section id="figures"><h2>Every figure</h2>${tables}</section></main>
<script type="application/json" id="chart-specs">${jsonForScript(charts.map((x) => ({ id: x.id, spec: x.spec })))}</script>
${vendorScripts().map((src) => `<script>${src}</script>`).join('\n')}
<script>${BOOT}</script>
</body></html>
`;
}
