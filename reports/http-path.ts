// The application path's block, written once for report.html and summary.md: SQL-direct against
// HTTP (serve + autocannon) side by side when a run has both, with the app layer's cost per
// operation (HTTP minus SQL, same strategy, same mix, keys and seed); an HTTP-only run gets its
// figures with the pool and autocannon's totals. Either way the latency caveat is said.
import type { OpName, Results, StrategyResult } from '../harness/results/types.ts';
import type { Block, BlockTable } from './suite-blocks.ts';
import { minConsistencyPct } from './figures.ts';
import { fmtInt, fmtMs, fmtPct, fmtRate } from './format.ts';
import { OPS } from '../harness/load/ops.ts';

export interface AppCost {
  strategy: string;
  op: OpName;
  sql: { p50: number; p99: number; mean: number; throughput: number };
  http: { p50: number; p99: number; mean: number; throughput: number };
  /** HTTP mean minus SQL mean, ms: what the app layer (HTTP, JSON, fastify, pool checkout) adds */
  appCostMeanMs: number;
  appCostP50Ms: number;
}

/** Pairs of a strategy's SQL result and its HTTP twin (load.via both). */
export function httpPairs(results: Results): Array<{ sql: StrategyResult; http: StrategyResult }> {
  const byId = new Map(results.strategies.map((s) => [s.id, s]));
  return results.strategies
    .filter((s) => s.via === 'http' && s.strategy && byId.has(s.strategy))
    .map((h) => ({ sql: byId.get(h.strategy!)!, http: h }));
}

export function appCosts(results: Results): AppCost[] {
  const out: AppCost[] = [];
  for (const { sql, http } of httpPairs(results)) {
    for (const op of OPS) {
      const a = sql.ops?.[op];
      const b = http.ops?.[op];
      if (!a || !b || !a.count || !b.count) continue;
      const fig = (r: typeof a) => ({ p50: r.latencyMs.p50, p99: r.latencyMs.p99, mean: r.latencyMs.mean, throughput: r.throughput });
      out.push({ strategy: sql.id, op, sql: fig(a), http: fig(b), appCostMeanMs: b.latencyMs.mean - a.latencyMs.mean, appCostP50Ms: b.latencyMs.p50 - a.latencyMs.p50 });
    }
  }
  return out;
}

const consistency = (s: StrategyResult): string => {
  if (!s.drift) return s.status === 'ok' ? 'not checked' : s.status;
  if (!s.counters.length) return 'no counter';
  return s.drift.consistent ? 'exact' : `drifted (${fmtPct(minConsistencyPct(s.drift))} keys exact)`;
};

const costsPossible = (results: Results) => httpPairs(results).length > 0;

export function httpBlock(results: Results): Block | null {
  const http = results.strategies.filter((s) => s.via === 'http');
  if (!http.length) return null;
  const open = results.run.scenario?.load.kind === 'open';
  const first = http.find((s) => s.http)?.http;
  const text = [
    `Through the application path: each strategy's write, read and delete behind an in-process counterbench serve (fastify, a pg.Pool of ${first?.pool ?? '?'} connections) driven by autocannon with ${first?.connections ?? '?'} connections, the same mix, keys and seed as the SQL path. The exact drift check, read bounds and server cost are the SQL path's${costsPossible(results) ? ", each path on a schema of its own" : ''}.`,
    open && first?.caveat
      ? `Open model: ${first.caveat}.`
      : 'HTTP latency is autocannon\'s response time, from the write of the request to the end of the reply (service time; in the closed model that is also what the SQL path measures).',
  ];
  const tables: BlockTable[] = [];
  const costs = appCosts(results);
  if (costs.length) {
    text.push("The app layer's cost per operation is the HTTP mean minus the SQL mean of the same strategy: HTTP parsing, JSON, validation, the pool's checkout and the loopback round trip.");
    tables.push({
      headers: ['strategy', 'op', 'SQL p50', 'HTTP p50', 'SQL p99', 'HTTP p99', 'SQL ops/s', 'HTTP ops/s', 'app layer per op (mean)', 'SQL counters', 'HTTP counters'],
      rows: costs.map((c) => {
        const pair = httpPairs(results).find((p) => p.sql.id === c.strategy)!;
        return [c.strategy, c.op, fmtMs(c.sql.p50), fmtMs(c.http.p50), fmtMs(c.sql.p99), fmtMs(c.http.p99), fmtRate(c.sql.throughput), fmtRate(c.http.throughput), `${c.appCostMeanMs >= 0 ? '+' : ''}${fmtMs(c.appCostMeanMs)}`, consistency(pair.sql), consistency(pair.http)];
      }),
      numeric: [false, false, true, true, true, true, true, true, true, false, false],
    });
  }
  tables.push({
    headers: ['strategy', 'requests sent', 'non-2xx', 'errors', 'timeouts', 'cut off at the end', 'all ops p50', 'all ops p99', 'status codes'],
    rows: http.filter((s) => s.http).map((s) => {
      const h = s.http!;
      return [s.id, fmtInt(h.autocannon.requestsSent), fmtInt(h.autocannon.non2xx), fmtInt(h.autocannon.errors), fmtInt(h.autocannon.timeouts), fmtInt(h.cutOff), fmtMs(h.latencyMs.p50), fmtMs(h.latencyMs.p99), Object.entries(h.autocannon.statusCodes).map(([k, n]) => `${k}: ${n}`).join(', ')];
    }),
    numeric: [false, true, true, true, true, true, true, true, false],
  });
  return { id: 'http', title: costs.length ? 'SQL-direct and through the app (HTTP)' : 'Through the app (HTTP)', text, tables };
}
