// Two runs side by side: every figure's change from A to B, and the changes that are regressions
// beyond the threshold (latency up, throughput down, consistency down, server cost up).
import type { ClaimStatus, Results, StrategyResult } from '../harness/results/types.ts';
import { claimsOf } from './claims.ts';
import { costVsBaseline, errorRatePct, isHeadlineFigure, minConsistencyPct, OP_NAMES, serverFigures } from './figures.ts';
import { fmtChange, fmtFigure, fmtMs, fmtNum, fmtPct, fmtRate, fmtRatio } from './format.ts';
import { escapeHtml as esc, stripUrls } from './safe-text.ts';
import { STYLES } from './html/styles.ts';

export type Direction = 'lower-is-better' | 'higher-is-better' | 'neutral';
export type FigureKind = 'latency' | 'throughput' | 'errors' | 'consistency' | 'cost-ratio' | 'server' | 'capacity';

export interface FigureChange {
  strategy: string;
  /** dotted name, e.g. ops.write.latencyMs.p99 */
  figure: string;
  kind: FigureKind;
  direction: Direction;
  a: number | null;
  b: number | null;
  /** b − a */
  delta: number | null;
  /** (b − a) / |a| × 100; null when a is 0 or either side is missing */
  changePct: number | null;
  /** worse by more than the threshold */
  regression: boolean;
  /** better by more than the threshold */
  improvement: boolean;
}

export interface RunSide {
  runId: string;
  startedAt: string;
  scenario: string;
}

export interface StatusChange {
  strategy: string;
  a: string;
  b: string;
  regression: boolean;
}

/** A claim of the analysis whose verdict differs between the two runs. */
export interface ClaimChange {
  id: string;
  a: ClaimStatus;
  b: ClaimStatus;
  /** the phase that decided it in each run */
  phaseA: string | null;
  phaseB: string | null;
}

export interface Comparison {
  thresholdPct: number;
  a: RunSide;
  b: RunSide;
  figures: FigureChange[];
  regressions: FigureChange[];
  statusChanges: StatusChange[];
  /** claims whose verdict changed from A to B (flagged; a verdict is not a figure with a
   *  direction, so a change is shown, not counted as a regression) */
  claimChanges: ClaimChange[];
  onlyInA: string[];
  onlyInB: string[];
  /** differences that make the two runs hard to compare (scenario, machine) */
  caveats: string[];
}

export interface CompareOptions {
  /** percent; a figure that got worse by more than this is a regression (default 10) */
  thresholdPct?: number;
}

export const DEFAULT_THRESHOLD_PCT = 10;

interface FigureValue {
  figure: string;
  kind: FigureKind;
  direction: Direction;
  value: number | undefined;
}

const LATENCY_FIELDS = ['mean', 'p50', 'p95', 'p99', 'p999', 'max'] as const;

function figuresOf(results: Results, s: StrategyResult): FigureValue[] {
  const out: FigureValue[] = [];
  for (const op of OP_NAMES) {
    const r = s.ops?.[op];
    if (!r) continue;
    for (const f of LATENCY_FIELDS) {
      out.push({ figure: `ops.${op}.latencyMs.${f}`, kind: 'latency', direction: 'lower-is-better', value: r.latencyMs[f] });
    }
    out.push({ figure: `ops.${op}.throughput`, kind: 'throughput', direction: 'higher-is-better', value: r.throughput });
    out.push({ figure: `ops.${op}.errorRatePct`, kind: 'errors', direction: 'lower-is-better', value: errorRatePct(r) });
  }
  const consistency = minConsistencyPct(s.drift);
  if (consistency !== undefined) out.push({ figure: 'drift.consistencyPct', kind: 'consistency', direction: 'higher-is-better', value: consistency });
  const cost = costVsBaseline(results, s);
  if (s.id !== 'baseline') {
    out.push({ figure: 'vsBaseline.writeLatencyRatio', kind: 'cost-ratio', direction: 'lower-is-better', value: cost.writeLatencyRatio });
    out.push({ figure: 'vsBaseline.writeThroughputRatio', kind: 'cost-ratio', direction: 'higher-is-better', value: cost.writeThroughputRatio });
  }
  for (const [name, value] of Object.entries(serverFigures(s))) {
    // Only the cost figures are judged; counts of the phase (ops, span, sizes) are shown as they are.
    const judged = isHeadlineFigure(name) && name !== 'statements.matviewRefresh.refreshes';
    out.push({ figure: `server.${name}`, kind: 'server', direction: judged ? 'lower-is-better' : 'neutral', value });
  }
  return out;
}

function change(strategy: string, a: FigureValue | undefined, b: FigureValue | undefined, thresholdPct: number): FigureChange {
  const base = (a ?? b)!;
  const av = a?.value ?? null;
  const bv = b?.value ?? null;
  const delta = av !== null && bv !== null ? bv - av : null;
  const changePct = delta !== null && av !== null && av !== 0 ? (delta / Math.abs(av)) * 100 : delta === 0 ? 0 : null;
  let worse = false;
  let better = false;
  if (delta !== null && base.direction !== 'neutral' && delta !== 0) {
    const up = delta > 0;
    const isWorse = base.direction === 'lower-is-better' ? up : !up;
    // From zero there is no percentage: any new error, lock wait or lost key counts.
    const beyond = changePct === null ? true : Math.abs(changePct) > thresholdPct;
    if (base.kind === 'consistency' && isWorse && av === 100) worse = true;
    else if (beyond) {
      worse = isWorse;
      better = !isWorse;
    }
  }
  return { strategy, figure: base.figure, kind: base.kind, direction: base.direction, a: av, b: bv, delta, changePct, regression: worse, improvement: better };
}

/** A capacity search's knees, per strategy, data size and SLO line; a knee below the lowest rate
 *  tried counts as 0, a search that measured nothing is left out. */
function kneesOf(r: Results): Map<string, { strategy: string; figure: string; value: number; lowerBound: boolean }> {
  const out = new Map<string, { strategy: string; figure: string; value: number; lowerBound: boolean }>();
  for (const s of r.capacity?.searches ?? []) {
    if (!s.steps.length) continue;
    for (const k of s.knees) {
      const figure = `capacity.knee.${s.users}users.p99<=${k.sloP99Ms}ms`;
      out.set(`${s.strategy} ${figure}`, { strategy: s.strategy, figure, value: k.rate ?? 0, lowerBound: k.lowerBound });
    }
  }
  return out;
}

/** Knees that moved: higher is better, and one that fell by more than the threshold regresses. */
function capacityChanges(a: Results, b: Results, thresholdPct: number, caveats: string[]): FigureChange[] {
  const ka = kneesOf(a);
  const kb = kneesOf(b);
  const out: FigureChange[] = [];
  for (const [key, x] of ka) {
    const y = kb.get(key);
    if (!y) continue;
    const fv = (v: number): FigureValue => ({ figure: x.figure, kind: 'capacity', direction: 'higher-is-better', value: v });
    const c = change(x.strategy, fv(x.value), fv(y.value), thresholdPct);
    out.push(c);
    if ((c.regression || c.improvement) && (x.lowerBound || y.lowerBound)) {
      caveats.push(`${x.strategy} ${x.figure}: ${x.lowerBound ? 'A' : 'B'}'s knee is a lower bound (harness, budget or ceiling), so the move may be the harness's`);
    }
  }
  return out;
}

function side(r: Results): RunSide {
  return { runId: r.run.id, startedAt: r.run.startedAt, scenario: r.run.scenario?.name ?? '' };
}

function caveatsOf(a: Results, b: Results): string[] {
  const out: string[] = [];
  const sa = JSON.stringify({ ...a.run.scenario, name: undefined, description: undefined });
  const sb = JSON.stringify({ ...b.run.scenario, name: undefined, description: undefined });
  if (sa !== sb) out.push('the two runs used different scenarios (load, data or options differ)');
  const ea = a.run.environment;
  const eb = b.run.environment;
  if (ea?.postgres?.version !== eb?.postgres?.version) out.push(`Postgres differs: ${ea?.postgres?.version} vs ${eb?.postgres?.version}`);
  if (ea?.cpus !== eb?.cpus || ea?.memoryBytes !== eb?.memoryBytes) out.push('the machines differ (CPUs or memory)');
  if (ea?.target !== eb?.target) out.push(`targets differ: ${ea?.target} vs ${eb?.target}`);
  if (a.run.interrupted || b.run.interrupted) out.push('a run was interrupted: its figures are partial');
  const ia = ea?.containers?.postgres?.image;
  const ib = eb?.containers?.postgres?.image;
  if (ia !== ib) out.push(`Postgres images differ: ${ia ?? `none (${ea?.target})`} vs ${ib ?? `none (${eb?.target})`}`);
  for (const [side, r] of [['A', a], ['B', b]] as const) {
    const v = r.versions?.entries;
    if (v?.length) out.push(`${side} is a matrix across ${v.map((e) => e.image).join(', ')}: its figures are those of ${v.find((e) => e.strategies?.length)?.image ?? 'none'}; compare the versions' own results.json for the others`);
  }
  return out.map(stripUrls);
}

export function compareResults(a: Results, b: Results, options: CompareOptions = {}): Comparison {
  const thresholdPct = options.thresholdPct ?? DEFAULT_THRESHOLD_PCT;
  const figures: FigureChange[] = [];
  const statusChanges: StatusChange[] = [];
  const idsB = new Set(b.strategies.map((s) => s.id));
  const idsA = new Set(a.strategies.map((s) => s.id));
  for (const sa of a.strategies) {
    const sb = b.strategies.find((s) => s.id === sa.id);
    if (!sb) continue;
    if (sa.status !== sb.status) statusChanges.push({ strategy: sa.id, a: sa.status, b: sb.status, regression: sa.status === 'ok' });
    const fa = figuresOf(a, sa);
    const fb = figuresOf(b, sb);
    const names = [...new Set([...fa.map((f) => f.figure), ...fb.map((f) => f.figure)])];
    for (const n of names) {
      const x = fa.find((f) => f.figure === n);
      const y = fb.find((f) => f.figure === n);
      if ((x?.value ?? undefined) === undefined && (y?.value ?? undefined) === undefined) continue;
      figures.push(change(sa.id, x, y, thresholdPct));
    }
  }
  const caveats = caveatsOf(a, b);
  figures.push(...capacityChanges(a, b, thresholdPct, caveats));
  return {
    thresholdPct,
    a: side(a),
    b: side(b),
    figures,
    regressions: figures.filter((f) => f.regression),
    statusChanges,
    claimChanges: claimChanges(a, b),
    onlyInA: [...idsA].filter((id) => !idsB.has(id)),
    onlyInB: [...idsB].filter((id) => !idsA.has(id)),
    caveats: caveats.map(stripUrls),
  };
}

/** Claims both runs decided (or left undecided) differently; capacity runs carry none. */
function claimChanges(a: Results, b: Results): ClaimChange[] {
  if (a.capacity || b.capacity) return [];
  const before = new Map(claimsOf(a).map((c) => [c.id, c]));
  const out: ClaimChange[] = [];
  for (const c of claimsOf(b)) {
    const x = before.get(c.id);
    if (x && x.status !== c.status) out.push({ id: c.id, a: x.status, b: c.status, phaseA: x.phase ?? null, phaseB: c.phase ?? null });
  }
  return out;
}

/** True when B is worse than A beyond the threshold anywhere, or a strategy stopped running. */
export function hasRegression(c: Comparison): boolean {
  return c.regressions.length > 0 || c.statusChanges.some((s) => s.regression);
}

function fmtValue(f: FigureChange, v: number | null): string {
  if (v === null) return '–';
  switch (f.kind) {
    case 'latency':
      return fmtMs(v);
    case 'throughput':
      return fmtRate(v);
    case 'errors':
    case 'consistency':
      return fmtPct(v);
    case 'cost-ratio':
      return fmtRatio(v);
    case 'capacity':
      return `${fmtNum(v)}/s`;
    default:
      return fmtFigure(f.figure, v);
  }
}

function flag(f: FigureChange): string {
  return f.regression ? 'REGRESSION' : f.improvement ? 'better' : '';
}

/** The figures a terminal table shows: the ones people compare, plus anything flagged. */
function textFigures(c: Comparison): FigureChange[] {
  return c.figures.filter(
    (f) =>
      f.regression ||
      f.improvement ||
      /latencyMs\.(p50|p99)$|throughput$|errorRatePct$|consistencyPct$|writeLatencyRatio$/.test(f.figure) ||
      f.kind === 'capacity' ||
      (f.kind === 'server' && f.direction !== 'neutral'),
  );
}

export function renderCompareText(c: Comparison): string {
  const rows = textFigures(c).map((f) => [f.strategy, f.figure, fmtValue(f, f.a), fmtValue(f, f.b), fmtChange(f.changePct), flag(f)]);
  const header = ['strategy', 'figure', 'A', 'B', 'change', ''];
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]): string =>
    cells.map((cell, i) => (i >= 2 && i <= 4 ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))).join('  ').trimEnd();
  const out: string[] = [];
  out.push(`A: ${c.a.runId} (${c.a.startedAt}, scenario ${c.a.scenario})`);
  out.push(`B: ${c.b.runId} (${c.b.startedAt}, scenario ${c.b.scenario})`);
  out.push(`threshold: ${c.thresholdPct} %`);
  for (const cv of c.caveats) out.push(`note: ${cv}`);
  out.push('');
  out.push(line(header));
  out.push(widths.map((w) => '-'.repeat(w)).join('  ').trimEnd());
  let last = '';
  for (const r of rows) {
    if (r[0] !== last && last) out.push('');
    last = r[0];
    out.push(line(r));
  }
  out.push('');
  for (const s of c.statusChanges) out.push(`${s.strategy}: status ${s.a} -> ${s.b}${s.regression ? '  REGRESSION' : ''}`);
  for (const x of c.claimChanges ?? []) out.push(`claim ${x.id}: ${x.a} -> ${x.b}  VERDICT CHANGED${x.phaseB ? ` (phase ${x.phaseB})` : ''}`);
  if (c.onlyInA.length) out.push(`only in A: ${c.onlyInA.join(', ')}`);
  if (c.onlyInB.length) out.push(`only in B: ${c.onlyInB.join(', ')}`);
  const n = c.regressions.length + c.statusChanges.filter((s) => s.regression).length;
  out.push(n === 0 ? `no regression beyond ${c.thresholdPct} %` : `${n} regression${n === 1 ? '' : 's'} beyond ${c.thresholdPct} %`);
  return stripUrls(out.join('\n')) + '\n';
}

export function renderCompareHtml(c: Comparison): string {
  const n = c.regressions.length + c.statusChanges.filter((s) => s.regression).length;
  const byStrategy = new Map<string, FigureChange[]>();
  for (const f of c.figures) byStrategy.set(f.strategy, [...(byStrategy.get(f.strategy) ?? []), f]);
  const th = (t: string, num = false): string => `<th${num ? ' class="num"' : ''}>${esc(t)}</th>`;
  const badge = (f: FigureChange): string =>
    f.regression ? '<span class="badge bad">regression</span>' : f.improvement ? '<span class="badge good">better</span>' : '';
  const tables = [...byStrategy]
    .map(
      ([id, figs]) =>
        `<h3><code>${esc(id)}</code></h3><div class="table-wrap"><table><thead><tr>${th('figure')}${th('A', true)}${th('B', true)}${th('change', true)}${th('')}</tr></thead><tbody>` +
        figs
          .map(
            (f) =>
              `<tr><td><code>${esc(f.figure)}</code></td><td class="num">${esc(fmtValue(f, f.a))}</td><td class="num">${esc(fmtValue(f, f.b))}</td>` +
              `<td class="num">${esc(fmtChange(f.changePct))}</td><td>${badge(f)}</td></tr>`,
          )
          .join('') +
        '</tbody></table></div>',
    )
    .join('\n');
  const regressionRows = [
    ...c.regressions.map((f) => `<li><code>${esc(f.strategy)}</code> ${esc(f.figure)}: ${esc(fmtValue(f, f.a))} → ${esc(fmtValue(f, f.b))} (${esc(fmtChange(f.changePct))})</li>`),
    ...c.statusChanges.filter((s) => s.regression).map((s) => `<li><code>${esc(s.strategy)}</code> status ${esc(s.a)} → ${esc(s.b)}</li>`),
  ];
  return `<!DOCTYPE html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>counterbench compare: ${esc(c.a.runId)} vs ${esc(c.b.runId)}</title><style>${STYLES}</style></head>
<body><header class="page"><h1>counterbench: two runs compared</h1>
<p>A: ${esc(c.a.runId)} (${esc(c.a.startedAt)}, ${esc(c.a.scenario)}) · B: ${esc(c.b.runId)} (${esc(c.b.startedAt)}, ${esc(c.b.scenario)}) · threshold ${esc(c.thresholdPct)} %</p></header>
<main><section id="verdict"><h2>Verdict</h2>
<p class="lead">${n === 0 ? esc(`No regression beyond ${c.thresholdPct} %.`) : esc(`${n} regression${n === 1 ? '' : 's'} beyond ${c.thresholdPct} %.`)}</p>
${regressionRows.length ? `<div class="card bad"><ul>${regressionRows.join('')}</ul></div>` : ''}
${(c.claimChanges ?? []).length ? `<h3>Claims whose verdict changed</h3><ul>${c.claimChanges.map((x) => `<li><code>${esc(x.id)}</code>: ${esc(x.a)} → <strong>${esc(x.b)}</strong>${x.phaseB ? ` <span class="muted">(phase ${esc(x.phaseB)})</span>` : ''} <span class="badge warn">verdict changed</span></li>`).join('')}</ul>` : ''}
${c.caveats.length ? `<div class="banner">${c.caveats.map(esc).join('<br>')}</div>` : ''}
${c.onlyInA.length ? `<p class="muted">Only in A: ${esc(c.onlyInA.join(', '))}</p>` : ''}
${c.onlyInB.length ? `<p class="muted">Only in B: ${esc(c.onlyInB.join(', '))}</p>` : ''}
</section><section id="figures"><h2>Every figure</h2>${tables}</section></main></body></html>
`;
}

