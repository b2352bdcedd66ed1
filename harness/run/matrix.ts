// `run --matrix postgres:13,postgres:16,postgres:17`: the same scenario on each image in turn,
// each on a fresh container, each with its own results.json in a folder of its own (so that
// `compare` takes any two of them), and one results.json across the versions. An entry whose
// server does not start or whose run breaks is failed for that version only.
import os from 'node:os';
import path from 'node:path';
import type { Environment, Results, VersionEntry } from '../results/types.ts';
import { describeOutcome } from '../results/thresholds.ts';
import { SCHEMA_VERSION } from '../results/types.ts';
import { run, type RunOptions, type RunOutcome } from './runner.ts';
import { newRunId } from './run-id.ts';
import { writeResultsFile } from './write-results.ts';
import { checkImageRef, isRedisImage } from './target-spec.ts';
import { UsageError } from '../errors.ts';

export function parseMatrix(value: string): string[] {
  const images = value.split(',').map((p) => p.trim().replace(/^docker:/, ''));
  if (images.length < 2) throw new UsageError(`--matrix: expected two images or more separated by commas (e.g. postgres:15,postgres:17), got "${value}"`);
  for (const ref of images) {
    checkImageRef('--matrix', ref);
    if (isRedisImage(ref)) throw new UsageError(`--matrix: ${ref} is a Redis image; the matrix runs Postgres versions (give the Redis with --target docker:${ref})`);
  }
  const twice = images.find((x, i) => images.indexOf(x) !== i);
  if (twice) throw new UsageError(`--matrix: ${twice} given twice`);
  return images;
}

/** A folder name for an image: postgres:15 -> postgres-15. */
export function imageSlug(ref: string): string {
  return ref.replace(/@sha256:([a-f0-9]{12}).*/, '-$1').replace(/[^A-Za-z0-9._-]+/g, '-');
}

export async function runMatrix(o: RunOptions & { images: string[] }): Promise<RunOutcome> {
  const log = o.log ?? (() => {});
  const warn = o.warn ?? log;
  const runId = newRunId();
  const startedAt = new Date().toISOString();
  const outDir = o.outDir ?? path.join('out', runId);
  // no engine is bad configuration for every entry alike: exit 2 before anything runs
  const { dockerEngine } = await import('../provision/docker-engine.ts');
  await dockerEngine();
  const entries: VersionEntry[] = [];
  let base: Results | undefined;
  for (const [i, image] of o.images.entries()) {
    if (o.signal?.aborted) {
      entries.push({ image, status: 'not-run', reason: 'interrupted (Ctrl-C) before its turn' });
      continue;
    }
    log(`[${i + 1}/${o.images.length}] ${image}`);
    try {
      const out = await run({ ...o, target: { ...o.target, postgresImage: image }, outDir: path.join(outDir, imageSlug(image)) });
      const r = out.results;
      base ??= r;
      entries.push({
        image,
        status: r.run.interrupted ? 'interrupted' : 'ok',
        environment: r.run.environment,
        strategies: r.strategies,
        claims: r.claims,
        thresholds: r.run.thresholds,
        resultsPath: path.relative(outDir, out.resultsPath),
      });
    } catch (e) {
      const reason = ((e as Error).message ?? String(e)).split('\n')[0];
      warn(`${image} failed: ${reason}`);
      entries.push({ image, status: 'failed', reason });
    }
  }
  const results: Results = base
    ? { ...base, run: { ...base.run, id: runId, startedAt, finishedAt: new Date().toISOString(), interrupted: base.run.interrupted || entries.some((e) => e.status === 'interrupted' || e.status === 'not-run') || undefined } }
    : {
        schemaVersion: SCHEMA_VERSION,
        run: { id: runId, startedAt, finishedAt: new Date().toISOString(), scenario: o.scenario, environment: noServer() },
        strategies: [],
      };
  results.versions = { entries };
  const written = writeResultsFile(results, outDir);
  if (written.fallback) warn(written.fallback);
  return { results, resultsPath: written.path, outDir: path.dirname(written.path) };
}

/** One line per version whose thresholds failed, naming the image and what broke: a version
 *  other than the first breaking one fails the run as much as the first. */
export function versionThresholdFailures(entries: VersionEntry[]): string[] {
  return entries.flatMap((e) => {
    const broken = (e.thresholds ?? []).filter((t) => !t.passed);
    return broken.length ? [`${e.image}: threshold${broken.length === 1 ? '' : 's'} failed: ${broken.map(describeOutcome).join('; ')}`] : [];
  });
}

/** The environment of a matrix in which no entry ran: the machine, no server. */
function noServer(): Environment {
  return { postgres: { version: 'none (no entry of the matrix ran)' }, redis: null, node: process.version, os: `${os.type()} ${os.release()} ${os.arch()}`, cpus: os.cpus().length, memoryBytes: os.totalmem(), target: 'docker' };
}
