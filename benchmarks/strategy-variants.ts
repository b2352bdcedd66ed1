// The choices two strategies leave open, measured side by side under the same load:
//   trigger-fixed: 007's lock made blocking (pg_advisory_xact_lock), or no advisory lock at all;
//   sharded-counter: the slot picked by the connection's backend pid, or at random per write.
// Each variant in its own schema, rounds in rotating order, two loads: every client on 2 users
// (the hot user the variants are about) and 10K users with zipfian keys. Prints the median over
// rounds of write throughput, mean write latency and, where the server runs on this machine, the
// CPU its backends spent per write (read from /proc: on a shared machine it holds far better than
// throughput, which the scheduler decides), and checks every variant stayed exact.
//   npx tsx benchmarks/strategy-variants.ts [seconds] [rounds] [variant filter]
// (DATABASE_URL, else an embedded server; the filter keeps variants whose name contains it)
import { openPostgres } from '../harness/provision/postgres.ts';
import { connectPg } from '../harness/db/connect.ts';
import { dropSchema } from '../harness/db/schemas.ts';
import { schemaFor } from '../harness/db/schema-name.ts';
import { deployStrategy } from '../harness/run/deploy.ts';
import fs from 'node:fs';
import { runPhase, type LoadHandle, type PhaseResult } from '../harness/load/driver.ts';
import { Ledger } from '../harness/measure/ledger.ts';
import { exactCheck, truthByUser } from '../harness/measure/drift.ts';
import { scenarioFromObject } from '../harness/config/scenario.ts';
import { triggerFixedVariant } from '../harness/strategies/trigger-fixed.ts';
import { shardedCounter } from '../harness/strategies/sharded-counter.ts';
import type { Strategy } from '../harness/strategies/types.ts';
import { describeUrl } from '../harness/redact.ts';

const seconds = Number(process.argv[2] ?? 5);
const rounds = Number(process.argv[3] ?? 3);
const only = process.argv[4] ?? '';

interface Variant {
  name: string;
  strategy: Strategy;
  options: Record<string, unknown>;
  /** a figure of the variant's tables after the phase, e.g. the slot rows a read sums */
  after?: { label: string; sql: string };
}

// what a read of the sharded counter sums: the slot rows of one user
const SLOT_ROWS = { label: 'slot rows per user', sql: 'SELECT count(*)::float8 / count(DISTINCT user_id) AS v FROM user_answer_slots' };

const ALL_VARIANTS: Variant[] = [
  { name: 'trigger-fixed, no advisory lock', strategy: triggerFixedVariant('none'), options: {} },
  { name: 'trigger-fixed, pg_advisory_xact_lock', strategy: triggerFixedVariant('advisory'), options: {} },
  { name: 'sharded-counter, slot by backend', strategy: shardedCounter, options: { slotPick: 'backend' }, after: SLOT_ROWS },
  { name: 'sharded-counter, slot at random', strategy: shardedCounter, options: { slotPick: 'random' }, after: SLOT_ROWS },
];
const VARIANTS = ALL_VARIANTS.filter((v) => v.name.includes(only));

const LOADS = [
  { name: '1 client, 10K users, uniform (the cost without contention)', clients: 1, data: { users: 10_000, answersPerUser: 20 }, keys: { distribution: 'uniform' } },
  { name: '16 clients on 2 users', data: { users: 2, answersPerUser: 50 }, keys: { distribution: 'uniform' } },
  { name: '16 clients, 1K users, half the operations on 20 of them', data: { users: 1000, answersPerUser: 20 }, keys: { distribution: 'hotset', hotUsers: 20, hotShare: 0.5 } },
  { name: '16 clients, 10K users, zipfian 1.1', data: { users: 10_000, answersPerUser: 20 }, keys: { distribution: 'zipfian', exponent: 1.1 } },
];

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)];

const TICK_MS = 10; // /proc's clock ticks (USER_HZ 100)

/** CPU time (user + system) of a local process, ms; undefined when it is not visible here. */
function procCpuMs(pid: number): number | undefined {
  try {
    // the fields after the command name (which may hold spaces) start at the 3rd field
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
    return (Number(fields[11]) + Number(fields[12])) * TICK_MS;
  } catch {
    return undefined;
  }
}

/** Samples the load connections' backends while the phase runs: the CPU each spent between the
 *  first and the last sample, and when those were (the connections close with the phase). */
function backendCpu() {
  const seen = new Map<number, { first: number; last: number }>();
  let timer: NodeJS.Timeout | undefined;
  let firstAt = 0;
  let lastAt = 0;
  return {
    onLoadStart(h: LoadHandle) {
      const tick = () => {
        for (const pid of h.loadPids()) {
          const ms = procCpuMs(pid);
          if (ms === undefined) continue;
          const e = seen.get(pid);
          if (e) e.last = ms;
          else seen.set(pid, { first: ms, last: ms });
        }
        lastAt = Date.now();
      };
      firstAt = Date.now();
      tick();
      timer = setInterval(tick, 100);
    },
    /** µs per write over the sampled part of the phase, or undefined when nothing was visible */
    perWriteUs(r: PhaseResult, loadStartedAt: number): number | undefined {
      clearInterval(timer);
      if (!seen.size || lastAt <= firstAt) return undefined;
      let ms = 0;
      for (const e of seen.values()) ms += e.last - e.first;
      const share = (lastAt - firstAt) / (r.loadEndedAt - loadStartedAt);
      return (ms * 1000) / (r.completed.write * share);
    },
  };
}

const target = await openPostgres({ databaseUrl: process.env.DATABASE_URL || undefined });
const admin = await connectPg(target.url, { applicationName: 'counterbench:bench' });
console.log(`${target.kind === 'embedded' ? 'embedded server' : describeUrl(target.url)} (PostgreSQL ${target.version}); ${seconds} s x ${rounds} rounds per variant and load`);
try {
  for (const load of LOADS) {
    const figures = new Map<string, { tput: number[]; mean: number[]; cpuUs: number[]; after: number[]; exact: boolean }>();
    for (let round = 0; round < rounds; round++) {
      // rotate the order, so the machine's drift over time falls on every variant alike
      const order = VARIANTS.map((_, i) => VARIANTS[(i + round) % VARIANTS.length]);
      for (const v of order) {
        const scenario = scenarioFromObject({
          name: 'variants',
          strategies: [v.strategy.id],
          data: { ...load.data, sessionsPerUser: 1 },
          load: { model: 'closed', clients: load.clients ?? 16 },
          phases: { warmup: 0, duration: seconds },
          mix: { write: 100 },
          keys: load.keys,
          options: { ...v.options, driftSampleInterval: 0 },
        });
        const ctx = { schema: schemaFor(v.strategy.id, 'variants'), redisPrefix: 'counterbench:variants:', users: scenario.data.users, options: scenario.options };
        await dropSchema(admin, ctx.schema);
        try {
          await deployStrategy(target.url, admin, v.strategy, ctx, scenario.data, undefined);
          const check = await connectPg(target.url, { schema: ctx.schema, applicationName: 'counterbench:bench:check' });
          try {
            const ledger = new Ledger(scenario.data.users, await truthByUser(check));
            const cpu = backendCpu();
            const startedAt = Date.now();
            const r = await runPhase({ strategy: v.strategy, ctx, pgUrl: target.url, scenario, ledger, seed: round + 1, onLoadStart: (h) => cpu.onLoadStart(h) });
            const cpuUs = cpu.perWriteUs(r, startedAt);
            const drift = await exactCheck(check, undefined, v.strategy, ctx);
            const f = figures.get(v.name) ?? { tput: [], mean: [], cpuUs: [], after: [], exact: true };
            if (v.after) f.after.push(Number((await check.query(v.after.sql)).rows[0].v));
            f.tput.push(r.ops.write!.throughput);
            f.mean.push(r.ops.write!.latencyMs.mean);
            if (cpuUs !== undefined) f.cpuUs.push(cpuUs);
            f.exact &&= drift.every((c) => c.usersInconsistent === 0) && r.ops.write!.errors === 0;
            figures.set(v.name, f);
          } finally {
            await check.end();
          }
        } finally {
          await dropSchema(admin, ctx.schema);
        }
      }
    }
    console.log(`\n${load.name}`);
    // each round ran the two variants of a strategy back to back: their ratio in the same round
    // holds better than either figure on a machine whose load moves between rounds
    const names = [...figures.keys()];
    for (let i = 0; i + 1 < names.length; i += 2) {
      const [a, b] = [figures.get(names[i])!, figures.get(names[i + 1])!];
      const ratios = a.tput.map((t, k) => b.tput[k] / t);
      console.log(`  ${names[i + 1]} / ${names[i]}: writes/s ratio per round ${ratios.map((r) => r.toFixed(2)).join(', ')}; median ${median(ratios).toFixed(2)}`);
      if (a.cpuUs.length === ratios.length && b.cpuUs.length === ratios.length) {
        const cpu = a.cpuUs.map((c, k) => b.cpuUs[k] / c);
        console.log(`  ${' '.repeat(names[i + 1].length)}   backend CPU per write ratio per round ${cpu.map((r) => r.toFixed(2)).join(', ')}; median ${median(cpu).toFixed(2)}`);
      }
    }
    for (const [name, f] of figures) {
      console.log(
        `  ${name.padEnd(40)} ${median(f.tput).toFixed(0).padStart(6)} writes/s  mean ${median(f.mean).toFixed(3)} ms` +
          (f.cpuUs.length ? `  backend CPU ${median(f.cpuUs).toFixed(0)} µs/write` : '') +
          (f.after.length ? `  ${VARIANTS.find((v) => v.name === name)!.after!.label} ${median(f.after).toFixed(1)}` : '') +
          `  (writes/s per round: ${f.tput.map((t) => t.toFixed(0)).join(', ')})${f.exact ? '' : '  NOT EXACT'}`,
      );
    }
  }
} finally {
  await admin.end();
  await target.stop();
}
