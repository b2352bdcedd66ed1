// `counterbench micro`: one write and one read of each strategy, uncontended, timed by tinybench.
import { micro, MICRO_DATA, type MicroResult } from '../micro/micro.ts';
import { ALL_STRATEGY_IDS, isStrategyId } from '../config/strategy-ids.ts';
import { checkNamespace } from '../db/schema-name.ts';
import { parseDurationMs } from '../config/duration.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import { renderTable } from './summary.ts';
import { parseCommandArgs } from './args.ts';
import type { Output } from './output.ts';

export const MICRO_USAGE = `usage: counterbench micro [--strategies a,b] [--time MS] [--json]

  --strategies  comma-separated strategy ids (default: all)
  --time        tinybench's time budget per strategy and operation, in ms (default 1000)
  --json        print the figures as one JSON object
One connection, one operation at a time, ${MICRO_DATA.users} users with ${MICRO_DATA.answersPerUser} answers each: the latency of one
write and one read of each strategy, beside the analysis's claimed "latency per operation".
DATABASE_URL names the Postgres to use (default: an embedded one); REDIS_URL the Redis.`;

export function parseStrategies(v: string | undefined): string[] {
  if (v === undefined || v === 'all') return [...ALL_STRATEGY_IDS];
  const ids = v.split(',').map((s) => s.trim()).filter(Boolean);
  if (!ids.length) throw new UsageError('--strategies: expected a comma-separated list of strategy ids');
  for (const id of ids) {
    if (!isStrategyId(id)) throw new UsageError(`--strategies: unknown strategy "${id}" (expected one of: ${ALL_STRATEGY_IDS.join(', ')})`);
  }
  return [...new Set(ids)];
}

function parseTime(v: string | undefined): number {
  if (v === undefined) return 1000;
  const ms = parseDurationMs(v, 'ms');
  if (ms === undefined || ms <= 0) throw new UsageError(`--time: expected a positive duration in ms (e.g. 1000 or 2s), got "${v}"`);
  return ms;
}

const f = (n: number, d: number) => (Number.isFinite(n) ? n.toFixed(d) : '-');

export function renderMicro(r: MicroResult): string {
  const lines = [
    `micro: uncontended latency per operation, one connection, ${r.data.users} users x ${r.data.answersPerUser} answers, ${r.timeMs} ms per task`,
    `target: ${r.target}, PostgreSQL ${r.postgres.split(' ')[0]}${r.redis ? `; Redis ${r.redis}` : ''}`,
    '',
  ];
  const rows = [['strategy', 'op', 'mean ms', 'p99 ms', '±rme %', 'samples', 'analysis claims']];
  const notes: string[] = [];
  for (const s of r.strategies) {
    if (s.status !== 'ok') {
      rows.push([s.id, '-', s.status, '', '', '', '']);
      notes.push(`  ${s.id}: ${(s.reason ?? '').split('\n')[0]}`);
      continue;
    }
    for (const m of s.ops) {
      if (m.error) {
        rows.push([s.id, m.op, 'error', '', '', '', m.claimed ?? '']);
        notes.push(`  ${s.id} ${m.op}: ${m.error.split('\n')[0]}`);
      } else rows.push([s.id, m.op, f(m.meanMs, 3), f(m.p99Ms, 3), f(m.rmePct, 2), String(m.samples), m.claimed ?? '']);
    }
  }
  lines.push(renderTable(rows));
  if (notes.length) lines.push('', 'not measured:', ...notes);
  if (r.interrupted) lines.push('', 'INTERRUPTED: partial figures');
  return lines.join('\n');
}

export async function microCommand(argv: string[], o: Output, signal?: AbortSignal): Promise<number> {
  const flags = { strategies: 'string', time: 'string', json: 'boolean', namespace: 'string' } as const;
  const args = parseCommandArgs({ command: 'micro', usage: MICRO_USAGE, flags }, argv, o.out);
  if (!args) return EXIT_OK;
  const { values } = args;
  const strategies = parseStrategies(values.strategies);
  const timeMs = parseTime(values.time);
  const namespace = checkNamespace(values.namespace) ?? 'micro';
  const log = values.json || !o.tty ? undefined : (l: string) => o.err(l);
  const r = await micro({ strategies, timeMs, namespace, databaseUrl: process.env.DATABASE_URL || undefined, signal, log });
  o.out(values.json ? JSON.stringify(r, null, 2) : renderMicro(r));
  return EXIT_OK;
}
