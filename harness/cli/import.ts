// `counterbench import k6`: k6's end-of-test summaries (of a script from `export k6`) as a
// results.json, with the drift check and server cost of a `verify` beside them when given, so
// that `report` and `compare` work on a k6 run like on any other.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadScenario } from '../config/scenario.ts';
import { ALL_STRATEGY_IDS, isStrategyId } from '../config/strategy-ids.ts';
import { strategyById } from '../strategies/index.ts';
import { SCHEMA_VERSION, type Results, type StrategyResult } from '../results/types.ts';
import { evaluateThresholds } from '../results/thresholds.ts';
import { measuredSeconds } from '../load/phase-window.ts';
import { newRunId } from '../run/run-id.ts';
import { writeResultsFile } from '../run/write-results.ts';
import { EXIT_FAILED_CHECK, EXIT_OK, UsageError } from '../errors.ts';
import { importOps, parseK6Summary, type K6Summary } from '../export/k6-import.ts';
import { readResults } from '../../reports/read-results.ts';
import { parseCommandArgs } from './args.ts';
import { prepareOutDir, writeReportsAfterRun } from './out-dir.ts';
import { renderSummary } from './summary.ts';
import type { Output } from './output.ts';

export const IMPORT_USAGE = `usage: counterbench import k6 SUMMARY.json [SUMMARY.json ...] [--strategy ID] [--scenario NAME] [--verify RESULTS.json] [--out DIR]

  SUMMARY.json  k6's end-of-test summary of a script from 'counterbench export k6': the file its
                handleSummary writes (counterbench-summary.json) or k6 --summary-export's; one per
                k6 instance (k6-operator pods), added up
  --strategy    the strategy the load drove (default: the one in --verify's results)
  --scenario    the exported scenario: its measured part gives throughput, its thresholds are judged
  --verify      a results.json of 'counterbench verify' on the schema the load drove: its drift
                check and server cost go beside k6's figures
  --target      http (default: through serve) or sql (xk6-sql on the database)
  --out         where results.json and the reports go (default out/k6-<run-id>)
  --json        print results.json instead of the summary
Exit 1 when a threshold failed (k6's own, or the scenario's judged on the imported figures).`;

function readJson(file: string, what: string): unknown {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (e) {
    throw new UsageError(`${what}: cannot read ${file}: ${(e as Error).message}`);
  }
}

export async function importCommand(argv: string[], o: Output): Promise<number> {
  const flags = { strategy: 'string', scenario: 'string', verify: 'string', target: 'string', out: 'string', json: 'boolean' } as const;
  const args = parseCommandArgs({ command: 'import', usage: IMPORT_USAGE, flags, positionals: { count: 2, what: 'k6 and at least one summary file', atLeast: true } }, argv, o.out);
  if (!args) return EXIT_OK;
  const v = args.values;
  const [kind, ...files] = args.positionals;
  if (kind !== 'k6') throw new UsageError(`expected what to import: k6, got "${kind}"`);
  const target = v.target ?? 'http';
  if (target !== 'http' && target !== 'sql') throw new UsageError(`--target: expected http or sql, got "${v.target}"`);
  const summaries: K6Summary[] = files.map((f) => {
    const s = parseK6Summary(readJson(f, 'SUMMARY.json'), f);
    if (typeof s === 'string') throw new UsageError(s);
    return s;
  });
  const verified: Results | undefined = v.verify ? await readResults(v.verify).catch((e: Error) => {
    throw new UsageError(`--verify: ${e.message}`);
  }) : undefined;
  let id = v.strategy;
  if (!id && verified?.strategies.length === 1) id = verified.strategies[0].id;
  if (!id) throw new UsageError('--strategy: required (the strategy the load drove), unless --verify names exactly one');
  if (!isStrategyId(id)) throw new UsageError(`--strategy: unknown strategy "${id}" (expected one of: ${ALL_STRATEGY_IDS.join(', ')})`);
  const fromVerify = verified?.strategies.find((s) => s.id === id);
  if (verified && !fromVerify) throw new UsageError(`--verify: ${v.verify} has no strategy ${id} (it has ${verified.strategies.map((s) => s.id).join(', ')})`);
  const scenario = loadScenario(v.scenario ?? 'default');
  if (!v.scenario) scenario.thresholds = [];
  const imported = importOps(summaries, v.scenario ? measuredSeconds(scenario) : undefined);
  if (!Object.keys(imported.ops).length) throw new UsageError(`SUMMARY.json: ${imported.notes[0]}`);
  const strategy = strategyById(id)!;
  const result: StrategyResult = {
    id,
    title: strategy.title,
    origin: strategy.origin,
    status: fromVerify?.status ?? 'ok',
    ...(fromVerify?.reason ? { reason: fromVerify.reason } : {}),
    counters: strategy.counters.map((k) => k.name),
    ops: imported.ops,
    ...(fromVerify?.drift ? { drift: fromVerify.drift } : {}),
    ...(fromVerify?.server ? { server: fromVerify.server } : {}),
  };
  if (!fromVerify) imported.notes.push("no 'counterbench verify' results given: the counters were not checked");
  const runId = `k6-${newRunId()}`;
  const started = new Date().toISOString();
  const environment = verified?.run.environment ?? { postgres: { version: 'not known (k6 run; give --verify)' }, node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}`, cpus: os.cpus().length, memoryBytes: os.totalmem(), target: 'k6' };
  const results: Results = {
    schemaVersion: SCHEMA_VERSION,
    run: {
      id: runId,
      startedAt: started,
      finishedAt: started,
      scenario: { ...scenario, strategies: [id] },
      environment,
      thresholds: evaluateThresholds(scenario.thresholds, [result]),
      source: { tool: 'k6', target, files: files.map((f) => path.basename(f)), format: [...new Set(summaries.map((s) => s.format))].join(', '), thresholds: imported.thresholds, notes: imported.notes },
    },
    strategies: [result],
  };
  const outDir = await prepareOutDir(v.out ?? path.join('out', runId), '--out');
  const written = writeResultsFile(results, outDir.dir);
  if (written.fallback) o.err(`counterbench import: ${written.fallback}`);
  const reports = await writeReportsAfterRun('import', { results, resultsPath: written.path, outDir: outDir.dir }, o);
  const k6Failed = imported.thresholds.filter((t) => !t.passed);
  if (v.json) o.out(JSON.stringify(results, null, 2));
  else {
    o.out(renderSummary(results));
    for (const t of k6Failed) o.out(`k6 threshold failed: ${t.metric}: ${t.expression}`);
    for (const n of imported.notes) o.out(`note: ${n}`);
    o.out(`\nresults: ${written.path}`);
    for (const r of reports) o.out(`report:  ${r}`);
  }
  return k6Failed.length || (results.run.thresholds ?? []).some((t) => !t.passed) ? EXIT_FAILED_CHECK : EXIT_OK;
}
