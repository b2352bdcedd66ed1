// What --target, --matrix and the container settings accept, and the report across versions
// from results built by hand (no engine needed): the verdicts per version, the cost flagged only
// when the rounds differ beyond noise (compare's bootstrap), the figures per write that differ, the statistics' sources.
import { describe, expect, it } from 'vitest';
import { parseTarget, isRedisImage } from '../harness/run/target-spec.ts';
import { imageSlug, parseMatrix, versionThresholdFailures } from '../harness/run/matrix.ts';
import { checkContainerSettings, containerLimits, readyTimeoutMs } from '../harness/provision/container-settings.ts';
import { resolveImage } from '../harness/provision/image-map.ts';
import { versionsBlocks, consistencyOn } from '../reports/versions-blocks.ts';
import { renderVersionsSummary } from '../harness/cli/versions-summary.ts';
import { renderMarkdown } from '../reports/markdown.ts';
import type { Results, StrategyResult, VersionEntry } from '../harness/results/types.ts';
import { buildResults } from './reports-fixture.ts';

describe('--target and --matrix', () => {
  it('reads a Postgres and a Redis image, refuses anything else in one line', () => {
    expect(parseTarget('docker:postgres:16')).toEqual({ postgresImage: 'postgres:16' });
    expect(parseTarget('docker:postgres:16,docker:redis:7')).toEqual({ postgresImage: 'postgres:16', redisImage: 'redis:7' });
    expect(parseTarget('docker:registry.example.com:5000/team/pg:15@sha256:' + 'a'.repeat(64))).toEqual({ postgresImage: 'registry.example.com:5000/team/pg:15@sha256:' + 'a'.repeat(64) });
    expect(isRedisImage('valkey/valkey:8')).toBe(true);
    expect(isRedisImage('example.com/redisson-pg:1')).toBe(true);
    expect(isRedisImage('postgres:16')).toBe(false);
    expect(() => parseTarget('postgres:16')).toThrow(/^--target: expected docker:IMAGE \(e\.g\. docker:postgres:16, docker:redis:7\), got "postgres:16"$/);
    expect(() => parseTarget('docker:Postgres 16')).toThrow(/is not an image reference/);
    expect(() => parseTarget('docker:postgres:15,docker:postgres:16')).toThrow(/two Postgres images \(postgres:15, postgres:16\)/);
    expect(parseMatrix('postgres:13, docker:postgres:16,postgres:17')).toEqual(['postgres:13', 'postgres:16', 'postgres:17']);
    expect(() => parseMatrix('postgres:15')).toThrow(/expected two images or more/);
    expect(() => parseMatrix('postgres:15,postgres:15')).toThrow(/postgres:15 given twice/);
    expect(() => parseMatrix('postgres:15,redis:7')).toThrow(/redis:7 is a Redis image/);
    expect(imageSlug('postgres:15')).toBe('postgres-15');
    expect(imageSlug('ghcr.io/x/pg@sha256:' + 'b'.repeat(64))).toBe('ghcr.io-x-pg-bbbbbbbbbbbb');
  });

  it('checks the container settings, naming the variable', () => {
    expect(containerLimits({})).toEqual({ cpus: null, memoryBytes: null });
    expect(containerLimits({ COUNTERBENCH_CONTAINER_CPUS: '1.5', COUNTERBENCH_CONTAINER_MEMORY: '512m' })).toEqual({ cpus: 1.5, memoryBytes: 512 * 1024 ** 2 });
    expect(readyTimeoutMs({})).toBe(60_000);
    expect(() => checkContainerSettings({ COUNTERBENCH_CONTAINER_CPUS: '0' })).toThrow(/^COUNTERBENCH_CONTAINER_CPUS: expected a number of CPUs above 0/);
    expect(() => checkContainerSettings({ COUNTERBENCH_CONTAINER_MEMORY: '10m' })).toThrow(/^COUNTERBENCH_CONTAINER_MEMORY: expected a size of at least 64m/);
    expect(() => checkContainerSettings({ COUNTERBENCH_CONTAINER_TIMEOUT: 'soon' })).toThrow(/^COUNTERBENCH_CONTAINER_TIMEOUT: expected seconds above 0, got "soon"$/);
    expect(() => checkContainerSettings({ COUNTERBENCH_IMAGES: 'postgres:15' })).toThrow(/^COUNTERBENCH_IMAGES: expected NAME=IMAGE pairs/);
    const env = { COUNTERBENCH_IMAGES: 'postgres:15=counterbench/postgres:15, postgres:17=counterbench/postgres:17' };
    expect([resolveImage('postgres:15', env), resolveImage('postgres:17', env), resolveImage('postgres:16', env)]).toEqual(['counterbench/postgres:15', 'counterbench/postgres:17', 'postgres:16']);
  });
});

describe('the report across versions', () => {
  /** One version of the fixture: `scale` multiplies a strategy's write latency per round and its
   *  WAL per write; `source` is where its checkpoint statistics came from. */
  function version(image: string, major: string, adjust: (s: StrategyResult) => void, source: string): VersionEntry {
    const r = buildResults();
    for (const s of r.strategies) {
      adjust(s);
      if (s.server) (s.server as Record<string, unknown>).checkpoints = { source, count: 0 };
    }
    r.run.environment.containers = { postgres: { image, resolvedImage: `counterbench/${image}`, imageId: 'sha256:' + major.repeat(32).slice(0, 64), network: 'host', cpus: null, memoryBytes: null, version: `${major}.1 (Debian)` } };
    return { image, status: 'ok', environment: r.run.environment, strategies: r.strategies, thresholds: r.run.thresholds, resultsPath: `${image.replace(':', '-')}/results.json` };
  }
  const rounds = (s: StrategyResult, means: number[]) => {
    s.rounds = means.map((mean, i) => ({ round: i + 1, ops: { write: { ...s.ops.write!, latencyMs: { ...s.ops.write!.latencyMs, mean } } } }));
  };

  function matrix(roundCount: number): Results {
    const base = buildResults();
    base.run.scenario.rounds = roundCount;
    const a = version('postgres:15', '15', (s) => {
      if (s.id === 'baseline') rounds(s, [1, 1.1, 0.9, 1.05, 0.95]);
      if (s.id === 'production-trigger') rounds(s, [2, 2.1, 1.9, 2.05, 1.95]);
    }, 'pg_stat_bgwriter');
    const b = version('postgres:17', '17', (s) => {
      if (s.id === 'baseline') rounds(s, [1, 1.1, 0.9, 1.05, 0.95]);
      if (s.id === 'production-trigger') {
        rounds(s, [4, 4.2, 3.8, 4.1, 3.9]);
        // the harness's own ratio (vsBaseline) is what the report reads first
        s.vsBaseline = { ...s.vsBaseline, writeLatencyRatio: (s.vsBaseline?.writeLatencyRatio ?? 2) * 2 };
        (s.server as Record<string, number>).walBytesPerWrite *= 3;
      }
    }, 'pg_stat_checkpointer');
    base.versions = { entries: [a, b, { image: 'postgres:99', status: 'failed', reason: 'image postgres:99 is not in the Docker engine and cannot be pulled' }] };
    return base;
  }

  it('shows per strategy its consistency on each version, its cost flagged where the rounds differ beyond noise, and what differs', () => {
    const r = matrix(5);
    const blocks = versionsBlocks(r);
    expect(blocks.map((b) => b.id)).toEqual(['versions', 'versions-consistency', 'versions-cost', 'versions-server']);
    const [ran, consistency, cost, server] = blocks;
    expect(ran.tables[0].rows.map((x) => x.slice(0, 4))).toEqual([
      ['postgres:15', 'ok', '15.1 (Debian)', 'counterbench/postgres:15 (151515151515)'],
      ['postgres:17', 'ok', '17.1 (Debian)', 'counterbench/postgres:17 (171717171717)'],
      ['postgres:99', 'failed: image postgres:99 is not in the Docker engine and cannot be pulled', '–', '–'],
    ]);
    // the fixture's verdicts, the same on both versions; the failed one says so
    const row = (t: string[][], id: string) => t.find((x) => x[0] === id)!;
    const fixture = buildResults();
    for (const s of fixture.strategies) {
      const cells = row(consistency.tables[0].rows, s.id);
      expect(cells[1]).toBe(cells[2]);
      expect(cells[3]).toBe('version failed');
      if (s.status === 'ok' && s.counters.length && s.drift) expect(cells[4]).toBe(s.drift.consistent ? 'exact on every version' : 'drifts on every version');
    }
    expect(consistencyOn(r.versions!.entries[0], 'no-such-strategy')).toBe('not in this run');
    // 2x on 15, 4x on 17 in each of 5 rounds: beyond the noise, so flagged; the others not
    expect(row(cost.tables[0].rows, 'production-trigger').at(-1)).toBe('differs');
    expect(cost.tables[0].rows.filter((x) => x.at(-1) === 'differs').map((x) => x[0])).toEqual(['production-trigger']);
    // WAL per write tripled on 17 for that strategy: the only figure per write that differs
    expect(server.tables[0].rows.map((x) => x[0])).toEqual(['production-trigger']);
    expect(server.tables[0].rows[0][1]).toMatch(/WAL/i);
    expect(server.text.join(' ')).toContain('The checkpoints figures come from pg_stat_bgwriter on postgres:15, pg_stat_checkpointer on postgres:17.');
    // summary.md carries the same blocks
    const md = renderMarkdown(r);
    for (const b of blocks) expect(md).toContain(`## ${b.title}`);
  });

  it('flags no cost difference from one round, and says why', () => {
    const cost = versionsBlocks(matrix(1))[2];
    expect(cost.tables[0].rows.filter((x) => x.at(-1) === 'differs')).toEqual([]);
    expect(cost.text.join(' ')).toContain('One round per version: a difference between versions cannot be told from the machine\'s noise');
  });

  it('flags no cost difference from rounds too few for the bootstrap or within the noise', () => {
    /** production-trigger's per-round write latency on each version, baseline's 1 in every round */
    const withRounds = (count: number, per15: number[], per17: number[]): Results => {
      const r = matrix(count);
      r.versions!.entries.slice(0, 2).forEach((e, i) => {
        for (const s of e.strategies!) {
          if (s.id === 'baseline') rounds(s, Array(count).fill(1));
          if (s.id === 'production-trigger') rounds(s, i ? per17 : per15);
        }
      });
      return r;
    };
    const differs = (r: Results) => versionsBlocks(r)[2].tables[0].rows.filter((x) => x.at(-1) === 'differs').map((x) => x[0]);
    // two rounds whose ranges do not overlap: what identical versions give one time in three
    const two = withRounds(2, [2, 2.1], [4, 4.2]);
    expect(differs(two)).toEqual([]);
    expect(versionsBlocks(two)[2].text.join(' ')).toContain('2 rounds per version: a difference between versions cannot be told from the machine\'s noise here, so none is flagged; a scenario with rounds: 5 or more can tell.');
    // five rounds each, interleaved on the two versions: the ratios shown differ 2x, the rounds do not
    expect(differs(withRounds(5, [1, 4, 2, 5, 3], [3.5, 1.5, 6, 2.5, 4.5]))).toEqual([]);
    // five rounds each, apart beyond the noise
    const apart = withRounds(5, [2, 2.1, 1.9, 2.05, 1.95], [4, 4.2, 3.8, 4.1, 3.9]);
    expect(differs(apart)).toEqual(['production-trigger']);
    expect(versionsBlocks(apart)[2].text.join(' ')).toContain('bootstrap interval of the difference of their medians excludes 0');
  });

  it('judges the thresholds on every version, not only the first: a later version breaking one fails the run, by name', () => {
    const r = matrix(5);
    const [a, b] = r.versions!.entries;
    // the matrix's run.thresholds are the first version's, which passed
    r.run.thresholds = a.thresholds;
    b.thresholds = [{ expression: 'ops.write.latencyMs.p99 < 50', strategy: 'trigger-upsert', actual: 71.234, passed: false }, ...a.thresholds!];
    expect(versionThresholdFailures(r.versions!.entries)).toEqual(['postgres:17: threshold failed: trigger-upsert: ops.write.latencyMs.p99 < 50 (actual 71.23)']);
    expect(versionThresholdFailures([a])).toEqual([]);
    const ran = versionsBlocks(r)[0];
    const col = ran.tables[0].headers.indexOf('thresholds');
    expect(ran.tables[0].rows.map((x) => x[col])).toEqual(['passed (1)', 'FAILED: trigger-upsert: ops.write.latencyMs.p99 < 50 (actual 71.23)', '–']);
    expect(renderVersionsSummary(r)).toMatch(/\npostgres:17 +17\.1 \(Debian\) +FAILED: trigger-upsert: ops\.write\.latencyMs\.p99 < 50 \(actual 71\.23\) +ok\n/);
  });
});
