// report.html: one self-contained page, verdict first. The chart libraries and every chart's
// vega-lite spec are inlined, so the file needs no network to draw.
import type { Results } from '../../harness/results/types.ts';
import { escapeHtml, jsonForScript } from '../safe-text.ts';
import { strategyPalette } from '../strategy-colors.ts';
import type { Chart } from './charts/chart.ts';
import type { SectionOut } from './markup.ts';
import { claimsSection } from './sections/claims.ts';
import { costSection, serverSection } from './sections/cost.ts';
import { driftSection } from './sections/drift.ts';
import { errorsSection, notRunSection } from './sections/errors.ts';
import { faultsSection } from './sections/faults.ts';
import { interleavingsSection } from './sections/interleavings.ts';
import { latencySection, throughputSection } from './sections/performance.ts';
import { environmentSection, scenarioSection } from './sections/run-info.ts';
import { verdictSection } from './sections/verdict.ts';
import { CAPACITY_TOC, capacityPage } from './sections/capacity.ts';
import { STYLES } from './styles.ts';
import { suiteSections, suiteToc, versionsSections } from './sections/suite.ts';
import { vendorScripts } from './vendor.ts';
import { httpSection, httpToc } from './sections/http.ts';

const TOC: Array<[string, string]> = [
  ['verdict', 'Verdict'],
  ['claims', 'The analysis, checked'],
  ['latency', 'Latency'],
  ['throughput', 'Throughput'],
  ['drift', 'Drift'],
  ['interleavings', 'Interleavings'],
  ['cost', 'Cost vs baseline'],
  ['server', 'Server cost'],
  ['errors', 'Errors'],
  ['faults', 'Faults'],
  ['not-run', 'Not run'],
  ['environment', 'Environment'],
  ['scenario', 'Scenario'],
];

// Draws every chart into its container; a chart that fails says so in place and in the console,
// which the browser test watches.
export const BOOT = `
(function () {
  var charts = JSON.parse(document.getElementById('chart-specs').textContent);
  charts.forEach(function (c) {
    var el = document.getElementById(c.id);
    if (!el) return;
    vegaEmbed(el, c.spec, { actions: false, renderer: 'svg' }).catch(function (err) {
      el.textContent = 'This chart could not be drawn: ' + err.message;
      console.error('chart ' + c.id + ': ' + err.message);
    });
  });
})();
`;

export function renderHtml(results: Results): string {
  const palette = strategyPalette(results);
  // a capacity search has its own page; the run-info sections close both
  const sections: SectionOut[] = results.capacity ? capacityPage(results, palette) : [
    verdictSection(results, palette),
    claimsSection(results, palette),
    ...versionsSections(results),
    ...suiteSections(results),
    latencySection(results, palette),
    throughputSection(results, palette),
    ...httpSection(results, palette),
    driftSection(results, palette),
    interleavingsSection(results, palette),
    costSection(results, palette),
    serverSection(results, palette),
    errorsSection(results, palette),
    faultsSection(results, palette),
    notRunSection(results, palette),
    environmentSection(results),
    scenarioSection(results),
  ];
  const charts: Chart[] = sections.flatMap((s) => s.charts);
  const scenarioName = results.run.scenario?.name ?? 'run';
  const title = `counterbench: ${scenarioName}`;
  const env = results.run.environment;
  const subtitle = [
    `run ${results.run.id}`,
    results.run.startedAt,
    env?.postgres?.version ? env.postgres.version.split(' on ')[0] : undefined,
    env?.cpus ? `${env.cpus} CPUs` : undefined,
    env?.target ? `target: ${env.target}` : undefined,
  ]
    .filter(Boolean)
    .join(' · ');
  const vendor = vendorScripts()
    .map((src) => `<script>${src}</script>`)
    .join('\n');
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(title)}</title>
<style>${STYLES}</style>
</head>
<body>
<header class="page">
<h1>${escapeHtml(title)}</h1>
<p>Ways of keeping per-user answer counters in PostgreSQL, measured side by side. ${escapeHtml(subtitle)}</p>
</header>
<nav class="toc" aria-label="sections">${(results.capacity ? CAPACITY_TOC : [...TOC.slice(0, 2), ...suiteToc(results), ...TOC.slice(2, 4), ...httpToc(results), ...TOC.slice(4)]).map(([id, label]) => `<a href="#${id}">${escapeHtml(label)}</a>`).join('')}</nav>
<main>
${sections.map((s) => s.html).join('\n')}
</main>
<noscript><p>The charts need JavaScript; every figure is also in the tables.</p></noscript>
<script type="application/json" id="chart-specs">${jsonForScript(charts.map((c) => ({ id: c.id, spec: c.spec })))}</script>
${vendor}
<script>${BOOT}</script>
</body>
</html>
`;
}
