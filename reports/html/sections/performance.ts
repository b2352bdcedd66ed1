// Latency percentiles per strategy and operation (table and charts) under the run's load model,
// with service time beside them where it differs, the spread across rounds, latency over time,
// and throughput over time.
import type { OpName, Results } from '../../../harness/results/types.ts';
import { opsPresent, serviceTimeDiffers } from '../../figures.ts';
import { loadModelNote, SERVICE_TIME_MEANING } from '../../load-model.ts';
import { fmtInt, fmtMs, fmtNum, fmtRate } from '../../format.ts';
import type { StrategyPalette } from '../../strategy-colors.ts';
import type { Chart } from '../charts/chart.ts';
import { latencyOverTimeChart } from '../charts/latency-over-time.ts';
import { latencyPercentilesChart } from '../charts/latency-percentiles.ts';
import { throughputChart } from '../charts/throughput-over-time.ts';
import { chartFigure, esc, notMeasured, section, strategyLabel, table, type SectionOut } from '../markup.ts';

function roundsSpread(results: Results, id: string, op: OpName): string {
  const s = results.strategies.find((x) => x.id === id);
  const p99s = (s?.rounds ?? []).map((r) => r.ops[op]?.latencyMs.p99).filter((v): v is number => v !== undefined);
  if (p99s.length < 2) return '–';
  return `${fmtNum(Math.min(...p99s))}–${fmtMs(Math.max(...p99s))}`;
}

export function latencySection(results: Results, palette: StrategyPalette): SectionOut {
  const ops = opsPresent(results);
  const charts: Chart[] = [];
  const model = loadModelNote(results);
  let inner =
    `<p><strong>${esc(model.name)}.</strong> ${esc(model.meaning)}</p>` +
    '<p>Latency of each operation in milliseconds.</p>';
  if (ops.length === 0) inner += notMeasured('Latency');
  for (const op of ops) {
    const service = serviceTimeDiffers(results, op);
    const rows = results.strategies
      .filter((s) => s.ops?.[op])
      .map((s) => {
        const r = s.ops[op]!;
        const l = r.latencyMs;
        return [
          strategyLabel(palette, s.id),
          esc(fmtInt(r.count)),
          esc(fmtRate(r.throughput)),
          esc(fmtMs(l.mean)),
          esc(fmtMs(l.p50)),
          esc(fmtMs(l.p95)),
          esc(fmtMs(l.p99)),
          esc(fmtMs(l.p999)),
          esc(fmtMs(l.max)),
          ...(service ? [esc(fmtMs(r.serviceTimeMs?.p50)), esc(fmtMs(r.serviceTimeMs?.p99))] : []),
          esc(roundsSpread(results, s.id, op)),
          esc(fmtInt(r.errors)),
        ];
      });
    inner +=
      `<h3>${esc(op[0].toUpperCase() + op.slice(1))}s</h3>` +
      table(
        [
          { text: 'strategy' },
          { text: 'ops', num: true },
          { text: 'throughput', num: true },
          { text: 'mean', num: true },
          { text: 'p50', num: true },
          { text: 'p95', num: true },
          { text: 'p99', num: true },
          { text: 'p99.9', num: true },
          { text: 'max', num: true },
          ...(service ? [{ text: 'service p50', num: true }, { text: 'service p99', num: true }] : []),
          { text: 'p99 across rounds', num: true },
          { text: 'errors', num: true },
        ],
        rows,
        service ? SERVICE_TIME_MEANING : undefined,
      );
    const chart = latencyPercentilesChart(results, palette, op);
    if (chart) {
      charts.push(chart);
      inner += chartFigure(chart);
    }
  }
  const overTime = results.strategies.map((s) => latencyOverTimeChart(results, s, palette)).filter((c): c is Chart => c !== undefined);
  if (overTime.length) {
    charts.push(...overTime);
    inner += '<h3>Latency over time</h3>' + `<div class="chart-grid">${overTime.map(chartFigure).join('')}</div>`;
  } else if (ops.length) inner += '<h3>Latency over time</h3>' + notMeasured('Latency over time (no per-second series)');
  return { html: section('latency', 'Latency per strategy and operation', inner), charts };
}

export function throughputSection(results: Results, palette: StrategyPalette): SectionOut {
  const charts = opsPresent(results)
    .map((op) => throughputChart(results, palette, op))
    .filter((c): c is Chart => c !== undefined);
  const inner = charts.length
    ? `<div class="chart-grid">${charts.map(chartFigure).join('')}</div>`
    : notMeasured('Throughput over time (no per-second series)');
  return { html: section('throughput', 'Throughput over time', inner), charts };
}
