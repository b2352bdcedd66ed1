// `counterbench export k6`: a scenario as a k6 test (TypeScript, type-checked against @types/k6),
// its tsconfig, and a k6-operator TestRun manifest, written to a directory.
import fs from 'node:fs';
import path from 'node:path';
import { loadScenario } from '../config/scenario.ts';
import { ALL_STRATEGY_IDS, isStrategyId } from '../config/strategy-ids.ts';
import { strategyById } from '../strategies/index.ts';
import { checkNamespace, schemaFor } from '../db/schema-name.ts';
import { redisPrefixFor } from '../strategies/redis-keys.ts';
import { EXIT_OK, UsageError } from '../errors.ts';
import { k6Script, k6Tsconfig, XK6_SQL_TYPES, type K6Target } from '../export/k6-script.ts';
import { testRunManifest } from '../export/k6-operator.ts';
import { replayStatements } from '../export/sql-statements.ts';
import { SERVE_NAMESPACE } from './serve.ts';
import { intFlag, parseCommandArgs } from './args.ts';
import type { Output } from './output.ts';

export const EXPORT_USAGE = `usage: counterbench export k6 --scenario NAME [--target http|sql] [--out DIR]

  --scenario          a built-in scenario name or a scenario file
  --target            http (default): k6/http against counterbench serve, stock k6;
                      sql: Postgres directly through xk6-sql (needs --strategy and a k6 built with xk6)
  --strategy          with --target sql: the strategy whose statements the script replays
  --namespace         the schema namespace serve used (default ${SERVE_NAMESPACE})
  --out               the directory to write to (default k6-<scenario>-<target>)
  --parallelism       k6 pods of the k6-operator TestRun (default 1)
  --expected-latency  ms one operation is expected to take: sizes the open model's VUs (default 50)
Writes the script (<scenario>.<target>.k6.ts), its tsconfig.json (tsc -p DIR checks it against
@types/k6) and testrun.yaml (k6-operator). k6 exits 99 when a threshold fails.`;

export async function exportCommand(argv: string[], o: Output): Promise<number> {
  const flags = { scenario: 'string', target: 'string', strategy: 'string', namespace: 'string', out: 'string', parallelism: 'string', 'expected-latency': 'string' } as const;
  const args = parseCommandArgs({ command: 'export', usage: EXPORT_USAGE, flags, positionals: { count: 1, what: 'what to export: k6' } }, argv, o.out);
  if (!args) return EXIT_OK;
  const v = args.values;
  if (args.positionals[0] !== 'k6') throw new UsageError(`expected what to export: k6, got "${args.positionals[0]}"`);
  if (!v.scenario) throw new UsageError('--scenario: required (a built-in scenario name or a scenario file)');
  const target = (v.target ?? 'http') as K6Target;
  if (target !== 'http' && target !== 'sql') throw new UsageError(`--target: expected http or sql, got "${v.target}"`);
  const scenario = loadScenario(v.scenario);
  if (scenario.capacity) throw new UsageError(`--scenario: ${scenario.name} is a capacity search; export a run scenario`);
  const parallelism = intFlag('--parallelism', v.parallelism, { min: 1, max: 1000, fallback: 1 });
  const expectedLatencyMs = intFlag('--expected-latency', v['expected-latency'], { min: 1, max: 600_000, fallback: 50 });
  const ns = checkNamespace(v.namespace) ?? SERVE_NAMESPACE;
  let sql: Parameters<typeof k6Script>[0]['sql'];
  if (target === 'sql') {
    if (!v.strategy) throw new UsageError('--strategy: required with --target sql (the strategy whose statements the script replays)');
    if (!isStrategyId(v.strategy)) throw new UsageError(`--strategy: unknown strategy "${v.strategy}" (expected one of: ${ALL_STRATEGY_IDS.join(', ')})`);
    const strategy = strategyById(v.strategy)!;
    const schema = schemaFor(strategy.id, ns);
    const st = await replayStatements(strategy, { schema, redisPrefix: redisPrefixFor(ns, strategy.id), users: scenario.data.users, options: scenario.options });
    if (typeof st === 'string') throw new UsageError(`--target sql: ${st}; export it with --target http against counterbench serve`);
    sql = { strategy: strategy.id, schema, statements: st };
  } else if (v.strategy) throw new UsageError('--strategy: only with --target sql (an HTTP script drives whichever strategy serve runs)');

  const dir = path.resolve(v.out ?? `k6-${scenario.name}-${target}`);
  const file = `${scenario.name}.${target}.k6.ts`;
  const command = ['counterbench export k6', `--scenario ${v.scenario}`, `--target ${target}`, ...(v.strategy ? [`--strategy ${v.strategy}`] : [])].join(' ');
  const script = k6Script({ scenario, target, sql, expectedLatencyMs, seed: scenario.seed + 1, command });
  try {
    fs.mkdirSync(dir, { recursive: true });
    fs.writeFileSync(path.join(dir, file), script);
    const files = [file];
    if (target === 'sql') {
      fs.writeFileSync(path.join(dir, 'xk6-sql.d.ts'), XK6_SQL_TYPES);
      files.push('xk6-sql.d.ts');
    }
    fs.writeFileSync(path.join(dir, 'tsconfig.json'), k6Tsconfig(files));
    const name = `counterbench-${scenario.name}-${target}`.toLowerCase().replace(/[^a-z0-9-]/g, '-').slice(0, 52);
    fs.writeFileSync(path.join(dir, 'testrun.yaml'), testRunManifest({ name, configMap: name, file, parallelism, target }));
  } catch (e) {
    throw new UsageError(`--out: cannot write to ${dir}: ${(e as Error).message}`);
  }
  o.out(`wrote ${path.join(dir, file)}, tsconfig.json and testrun.yaml (parallelism ${parallelism})`);
  return EXIT_OK;
}
