// A matrix across Postgres versions (`run --matrix`) as blocks of text and tables, written once
// for report.html and summary.md: what ran on each version, each strategy's consistency per
// version (does Migration 007 lose on every one?), its cost against the baseline per version, and
// the server figures and settings that differ between versions.
import type { Results, StrategyResult, VersionEntry } from '../harness/results/types.ts';
import type { Block } from './suite-blocks.ts';
import { costVsBaseline, figureLabel, isRecord, serverFigures, worstExtra, worstLost } from './figures.ts';
import { fmtBytes, fmtFigure, fmtInt, fmtRatio } from './format.ts';
import { describeOutcome } from '../harness/results/thresholds.ts';
import { bootstrapMedianDifference, DEFAULT_CONFIDENCE, isTooFew, MIN_SAMPLES } from './compare-stats.ts';

/** Two figures differ when the larger is more than this much above the smaller (or one is 0). */
export const DIFFER_RATIO = 1.5;

const shortVersion = (e: VersionEntry): string => e.environment?.containers?.postgres?.version?.split(' ')[0] ?? e.environment?.postgres.version.split(' ')[1] ?? '';
const head = (e: VersionEntry): string => `${e.image}${shortVersion(e) ? ` (${shortVersion(e)})` : ''}`;

/** One strategy's consistency on one version, in words. */
export function consistencyOn(e: VersionEntry, id: string): string {
  if (e.status === 'failed' || e.status === 'not-run') return `version ${e.status}`;
  const s = e.strategies?.find((x) => x.id === id);
  if (!s) return 'not in this run';
  if (s.status !== 'ok') return s.status;
  if (s.counters.length === 0) return 'no counter';
  if (!s.drift) return 'not checked';
  if (s.drift.consistent) return 'exact';
  const lost = worstLost(s.drift) ?? 0;
  const extra = worstExtra(s.drift) ?? 0;
  return `drift (lost ${fmtInt(lost)}, extra ${fmtInt(extra)})`;
}

/** The scenario's thresholds on one version: each version is judged on its own. */
export function thresholdsOn(e: VersionEntry): string {
  if (!e.thresholds) return '–';
  if (!e.thresholds.length) return 'none set';
  const broken = e.thresholds.filter((t) => !t.passed);
  return broken.length ? `FAILED: ${broken.map(describeOutcome).join('; ')}` : `passed (${e.thresholds.length})`;
}

function entryResults(results: Results, e: VersionEntry): Results {
  return { ...results, strategies: e.strategies ?? [], run: { ...results.run, environment: e.environment ?? results.run.environment } };
}

function strategyIds(entries: VersionEntry[]): string[] {
  const ids: string[] = [];
  for (const e of entries) for (const s of e.strategies ?? []) if (!ids.includes(s.id)) ids.push(s.id);
  return ids;
}

function differ(values: Array<number | undefined>): boolean {
  const v = values.filter((x): x is number => x !== undefined);
  if (v.length < 2) return false;
  const lo = Math.min(...v);
  const hi = Math.max(...v);
  if (hi === lo) return false;
  return lo <= 0 ? hi > 0 : hi / lo > DIFFER_RATIO;
}

const PER_OP = /Per(Write|Op)$/;

/** Where each version's statistics came from, where that differs (PG 17 moved the checkpointer's
 *  out of pg_stat_bgwriter into pg_stat_checkpointer). */
function statisticsSources(ran: VersionEntry[]): string[] {
  const out: string[] = [];
  for (const part of ['checkpoints', 'wal'] as const) {
    const per = ran.map((e) => {
      const s = e.strategies?.find((x) => x.status === 'ok' && isRecord(x.server) && isRecord(x.server[part]));
      const src = s ? (s.server as Record<string, Record<string, unknown>>)[part].source : undefined;
      return [e.image, typeof src === 'string' ? src : 'not read'] as const;
    });
    if (new Set(per.map((p) => p[1])).size > 1) out.push(`The ${part} figures come from ${per.map(([img, src]) => `${src} on ${img}`).join(', ')}.`);
  }
  return out;
}

/** A strategy's write cost against baseline in each round of one version. */
function roundRatios(e: VersionEntry, id: string): number[] {
  const base = e.strategies?.find((x) => x.id === 'baseline')?.rounds ?? [];
  const own = e.strategies?.find((x) => x.id === id);
  if (!own || own.status !== 'ok') return [];
  const out: number[] = [];
  for (const r of own.rounds ?? []) {
    const b = base.find((x) => x.round === r.round)?.ops.write?.latencyMs.mean;
    const m = r.ops.write?.latencyMs.mean;
    if (b && m !== undefined && b > 0) out.push(m / b);
  }
  return out;
}

/** Whether some two versions' costs differ beyond the machine's noise: the bootstrap interval of
 *  the difference of their per-round medians excludes 0 (compare's test, with its minimum of
 *  rounds), and the larger ratio shown is more than DIFFER_RATIO× the smaller. Two rounds whose
 *  ranges merely do not overlap is what identical versions give one time in three. */
function costsDiffer(ratios: Array<number | undefined>, perRound: number[][]): boolean {
  for (let i = 0; i < ratios.length; i++)
    for (let j = i + 1; j < ratios.length; j++) {
      if (!differ([ratios[i], ratios[j]])) continue;
      const d = bootstrapMedianDifference(perRound[i], perRound[j]);
      if (!isTooFew(d) && d.significant) return true;
    }
  return false;
}

/** Settings that name places, ports or the version itself differ by construction. */
const NOT_COMPARED = /^(port|data_directory|config_file|hba_file|ident_file|external_pid_file|server_version(_num)?|unix_socket_directories|lc_.*|data_checksums|shared_memory_size.*|wal_segment_size|ssl_.*_file)$/;

function settingsThatDiffer(entries: VersionEntry[]): string[][] {
  const ran = entries.filter((e) => e.environment?.postgres.settings);
  if (ran.length < 2) return [];
  const names = Object.keys(ran[0].environment!.postgres.settings!).filter((n) => !NOT_COMPARED.test(n) && ran.every((e) => n in e.environment!.postgres.settings!));
  return names.filter((n) => new Set(ran.map((e) => e.environment!.postgres.settings![n])).size > 1).map((n) => [n, ...ran.map((e) => e.environment!.postgres.settings![n])]);
}

export function versionsBlocks(results: Results): Block[] {
  const entries = results.versions?.entries;
  if (!entries?.length) return [];
  const ids = strategyIds(entries);
  const ran = entries.filter((e) => e.strategies?.length);
  const out: Block[] = [];

  out.push({
    id: 'versions',
    title: 'Postgres versions',
    text: [
      `The same scenario on ${entries.length} images in turn, each on a fresh container on a loopback port of the host; the sections below this one show the first version that ran (${ran[0]?.image ?? 'none'}). Each version's own results.json is in the folder named in the table (counterbench compare takes any two). The scenario's thresholds are judged on each version: one that fails on any version fails the run (exit 1).`,
    ],
    tables: [
      {
        headers: ['image', 'status', 'server', 'image run', 'CPU limit', 'memory limit', 'thresholds', 'results'],
        rows: entries.map((e) => {
          const c = e.environment?.containers?.postgres;
          return [
            e.image,
            e.status + (e.reason ? `: ${e.reason}` : ''),
            c?.version ?? e.environment?.postgres.version ?? '–',
            c ? `${c.resolvedImage}${c.imageId ? ` (${c.imageId.replace(/^sha256:/, '').slice(0, 12)})` : ''}` : '–',
            c?.cpus ? `${c.cpus}` : c ? 'none' : '–',
            c?.memoryBytes ? fmtBytes(c.memoryBytes) : c ? 'none' : '–',
            thresholdsOn(e),
            e.resultsPath ?? '–',
          ];
        }),
      },
    ],
  });

  const consistencyRows = ids.map((id) => {
    const cells = entries.map((e) => consistencyOn(e, id));
    const judged = cells.filter((c) => c === 'exact' || c.startsWith('drift'));
    const same = judged.length < 2 ? '–' : judged.every((c) => c === 'exact') ? 'exact on every version' : judged.every((c) => c.startsWith('drift')) ? 'drifts on every version' : 'DIFFERS';
    return [id, ...cells, same];
  });
  out.push({
    id: 'versions-consistency',
    title: 'Consistency per version',
    text: ['Every counter checked exactly against the real count after each version\'s run. "drifts on every version" is a finding that does not depend on the version; "DIFFERS" is one that does.'],
    tables: [{ headers: ['strategy', ...entries.map(head), 'across versions'], rows: consistencyRows }],
  });

  const rounds = results.run.scenario?.rounds ?? 1;
  const costRows = ids
    .filter((id) => id !== 'baseline')
    .map((id) => {
      const ratios = entries.map((e) => {
        const s = e.strategies?.find((x) => x.id === id);
        return s && s.status === 'ok' ? costVsBaseline(entryResults(results, e), s).writeLatencyRatio : undefined;
      });
      // the page says rounds below MIN_SAMPLES cannot tell: no flag, whatever the rounds recorded
      return [id, ...ratios.map(fmtRatio), rounds >= MIN_SAMPLES && costsDiffer(ratios, entries.map((e) => roundRatios(e, id))) ? 'differs' : ''];
    });
  out.push({
    id: 'versions-cost',
    title: 'Cost against baseline per version',
    text: [
      `Mean write latency as a multiple of the bare INSERT's on the same version (the ratio holds on a noisy machine where absolute times do not), the median across rounds.`,
      rounds >= MIN_SAMPLES
        ? `"differs": two versions whose ratios differ by more than ${DIFFER_RATIO}×, and whose rounds' ratios differ beyond the machine's noise (the ${Math.round(DEFAULT_CONFIDENCE * 100)} % bootstrap interval of the difference of their medians excludes 0, as in counterbench compare).`
        : `${rounds === 1 ? 'One round' : `${rounds} rounds`} per version: a difference between versions cannot be told from the machine's noise here, so none is flagged; a scenario with rounds: ${MIN_SAMPLES} or more can tell.`,
    ],
    tables: [{ headers: ['strategy', ...entries.map(head), ''], rows: costRows, numeric: [false, ...entries.map(() => true), false] }],
  });

  const figureRows: string[][] = [];
  for (const id of ids) {
    const per = entries.map((e) => {
      const s: StrategyResult | undefined = e.strategies?.find((x) => x.id === id);
      return s && s.status === 'ok' ? serverFigures(s) : undefined;
    });
    const names: string[] = [];
    // per write or operation: totals grow with the throughput each version happened to reach
    for (const f of per) for (const n of Object.keys(f ?? {})) if (PER_OP.test(n) && !names.includes(n)) names.push(n);
    for (const n of names) {
      const values = per.map((f) => f?.[n]);
      if (!differ(values)) continue;
      figureRows.push([id, figureLabel(n), ...values.map((v) => fmtFigure(n, v))]);
    }
  }
  const settings = settingsThatDiffer(entries);
  const sources = statisticsSources(ran);
  out.push({
    id: 'versions-server',
    title: 'Server figures that differ between versions',
    text: [
      figureRows.length
        ? `Each strategy's server figures per write or operation (from the server's own statistics) where the largest is more than ${DIFFER_RATIO}× the smallest across versions; the others agree within that.`
        : `No strategy's server figure per write or operation differs by more than ${DIFFER_RATIO}× between the versions.`,
      ...sources,
      ...(settings.length ? [`${settings.length} server setting${settings.length === 1 ? '' : 's'} (of those every version has) differ${settings.length === 1 ? 's' : ''} between the versions' defaults; the second table lists them.`] : []),
    ],
    tables: [
      { headers: ['strategy', 'figure', ...entries.map(head)], rows: figureRows, numeric: [false, false, ...entries.map(() => true)] },
      ...(settings.length ? [{ headers: ['setting', ...ran.filter((e) => e.environment?.postgres.settings).map(head)], rows: settings }] : []),
    ],
  });
  return out;
}
