// The page's look: readable on a phone (tables scroll sideways, charts fit the width) and on
// paper (no navigation, no split charts, black text).
export const STYLES = `
:root { --ink: #1d2330; --muted: #5d6675; --line: #dfe3ea; --bg: #ffffff; --soft: #f5f7fa;
  --good: #1e7b3c; --good-bg: #e7f5ec; --bad: #b3261e; --bad-bg: #fdecea; --warn: #8a5a00; --warn-bg: #fff4dc; }
* { box-sizing: border-box; }
html { -webkit-text-size-adjust: 100%; }
body { margin: 0; background: var(--bg); color: var(--ink);
  font: 15px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
header.page { background: #1d2330; color: #fff; padding: 20px 24px 16px; }
header.page h1 { margin: 0 0 4px; font-size: 1.5rem; font-weight: 650; }
header.page p { margin: 0; color: #c9d1de; font-size: 0.9rem; }
nav.toc { position: sticky; top: 0; z-index: 2; background: #fff; border-bottom: 1px solid var(--line);
  overflow-x: auto; white-space: nowrap; padding: 6px 24px; font-size: 0.85rem; }
nav.toc a { color: var(--muted); text-decoration: none; margin-right: 14px; }
nav.toc a:hover { color: var(--ink); text-decoration: underline; }
main { max-width: 1120px; margin: 0 auto; padding: 8px 24px 48px; }
section { margin-top: 28px; scroll-margin-top: 40px; }
h2 { font-size: 1.3rem; margin: 0 0 10px; padding-bottom: 4px; border-bottom: 2px solid var(--line); }
h3 { font-size: 1.05rem; margin: 20px 0 8px; }
p { margin: 6px 0 10px; }
.lead { font-size: 1.12rem; font-weight: 600; margin: 8px 0 12px; }
.muted, .caption { color: var(--muted); }
.small { font-size: 0.82rem; }
.caption { font-size: 0.85rem; margin-top: 2px; }
code { font: 0.88em/1.3 ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; background: var(--soft);
  padding: 1px 4px; border-radius: 3px; }
.table-wrap { overflow-x: auto; margin: 8px 0 14px; border: 1px solid var(--line); border-radius: 6px; }
table { border-collapse: collapse; width: 100%; font-size: 0.88rem; }
th, td { padding: 6px 10px; text-align: left; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; white-space: nowrap; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
tbody tr:last-child td { border-bottom: 0; }
.swatch { display: inline-block; width: 10px; height: 10px; border-radius: 2px; margin-right: 6px; vertical-align: baseline; }
.nowrap { white-space: nowrap; }
.badge { display: inline-block; padding: 1px 8px; border-radius: 10px; font-size: 0.8rem; font-weight: 600; white-space: nowrap; }
.badge.good { color: var(--good); background: var(--good-bg); }
.badge.bad { color: var(--bad); background: var(--bad-bg); }
.badge.warn { color: var(--warn); background: var(--warn-bg); }
.badge.muted { color: var(--muted); background: var(--soft); }
.cards { display: grid; grid-template-columns: repeat(auto-fit, minmax(240px, 1fr)); gap: 12px; margin: 10px 0 14px; }
.card { border: 1px solid var(--line); border-radius: 8px; padding: 10px 14px; }
.card h3 { margin: 0 0 6px; font-size: 0.95rem; }
.card.good { border-left: 5px solid var(--good); }
.card.bad { border-left: 5px solid var(--bad); }
.card.muted { border-left: 5px solid #b9c0cc; }
.card ul { margin: 0; padding-left: 18px; }
.card li { margin: 3px 0; }
.banner { padding: 10px 14px; border-radius: 6px; margin: 12px 0; background: var(--warn-bg); color: var(--warn); font-weight: 600; }
.chart-grid { display: grid; grid-template-columns: repeat(auto-fit, minmax(320px, 1fr)); gap: 8px 24px; }
figure.chart { margin: 10px 0 18px; min-width: 0; break-inside: avoid; }
figure.chart figcaption { font-weight: 600; font-size: 0.95rem; margin-bottom: 4px; }
.chart-box { width: 100%; min-height: 60px; }
.vega-embed { width: 100%; }
details summary { cursor: pointer; color: var(--muted); }
pre { background: var(--soft); padding: 10px; border-radius: 6px; overflow-x: auto; font-size: 0.8rem; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 16px; margin: 8px 0; font-size: 0.9rem; }
dl.facts dt { color: var(--muted); }
dl.facts dd { margin: 0; }
@media (max-width: 640px) {
  body { font-size: 14px; }
  .lead { font-size: 1rem; }
  main { padding: 4px 12px 32px; }
  header.page { padding: 14px 12px; }
  nav.toc { padding: 6px 12px; }
  .chart-grid { grid-template-columns: 1fr; }
  dl.facts { grid-template-columns: 1fr; }
  dl.facts dd { margin-bottom: 6px; }
}
@media print {
  @page { margin: 14mm; }
  body { font-size: 10.5pt; color: #000; }
  header.page { background: none; color: #000; padding: 0 0 8px; border-bottom: 2px solid #000; }
  header.page p { color: #333; }
  nav.toc { display: none; }
  main { max-width: none; padding: 0; }
  section { break-inside: auto; }
  h2, h3 { break-after: avoid; }
  .table-wrap { overflow: visible; border: 0; }
  table { font-size: 8.5pt; }
  tr, .card, figure.chart { break-inside: avoid; }
  .badge { border: 1px solid currentColor; }
  details > summary { display: none; }
}
`;
