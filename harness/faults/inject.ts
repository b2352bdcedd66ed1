// Faults injected into one strategy's phase on the scenario's schedule, each recorded with when
// it hit and what it cost, so that the cost is shown as the fault's and not the strategy's.
import type { FaultRecord } from '../results/types.ts';
import type { Strategy } from '../strategies/types.ts';
import type { Reconnecting } from '../db/reconnecting.ts';
import type { LoadHandle } from '../load/driver.ts';
import type { FaultKind, FaultSpec } from './kinds.ts';

export interface FaultTargets {
  strategy: Strategy;
  round: number;
  admin: Reconnecting;
  /** stops and starts the server on its port; absent when the server is not the harness's */
  restartPostgres?: () => Promise<void>;
  restartRedis?: () => Promise<void>;
  /** backend pids of the strategy's job connections */
  jobPids(): Promise<number[]>;
}

interface Outcome {
  happened: boolean;
  detail: string;
  downMs?: number | null;
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Waits until `changed()` holds, up to a limit: how long the part stayed gone. */
async function timeUntil(changed: () => boolean | Promise<boolean>, limitMs: number): Promise<number | null> {
  const t = Date.now();
  while (Date.now() - t < limitMs) {
    if (await changed()) return Date.now() - t;
    await sleep(10);
  }
  return null;
}

async function terminate(admin: Reconnecting, pids: number[]): Promise<number> {
  if (!pids.length) return 0;
  const r = await (await admin.get()).query<{ ok: boolean }>('SELECT pg_terminate_backend(p) AS ok FROM unnest($1::int[]) AS p', [pids]);
  return r.rows.filter((x) => x.ok).length;
}

async function inject(kind: FaultKind, spec: FaultSpec, t: FaultTargets, h: LoadHandle): Promise<Outcome> {
  const id = t.strategy.id;
  switch (kind) {
    case 'terminate-job-connection': {
      const pids = await t.jobPids();
      if (!pids.length) return { happened: false, detail: `${id} has no background job connection` };
      const n = await terminate(t.admin, pids);
      // a job replaces its connection at its next step: downMs comes from that event
      return { happened: n > 0, detail: `terminated ${n} job connection(s) (backend ${pids.join(', ')})` };
    }
    case 'terminate-load-connection': {
      const pid = h.loadPids()[0];
      if (!pid) return { happened: false, detail: 'no load connection was open' };
      const n = await terminate(t.admin, [pid]);
      const downMs = await timeUntil(() => (h.loadPids()[0] ?? pid) !== pid, 10_000);
      return { happened: n > 0, detail: `terminated load connection backend ${pid}`, downMs };
    }
    case 'redis-restart': {
      if (!t.strategy.needsRedis) return { happened: false, detail: `${id} uses no Redis` };
      if (!t.restartRedis) return { happened: false, detail: "not injected: the Redis is REDIS_URL's, not one the harness started" };
      const at = Date.now();
      await t.restartRedis();
      return { happened: true, detail: 'Redis stopped and started again on its port; it keeps nothing on disk, so its queue and counters are gone', downMs: Date.now() - at };
    }
    case 'postgres-restart': {
      if (!t.restartPostgres) return { happened: false, detail: "not injected: the Postgres is DATABASE_URL's, not the embedded one the harness owns" };
      const at = Date.now();
      await t.restartPostgres();
      return { happened: true, detail: 'Postgres stopped (fast shutdown) and started again', downMs: Date.now() - at };
    }
    case 'app-crash-after-insert': {
      if (!h.crashWrites(spec.count)) {
        return { happened: false, detail: `${id}'s write is one statement: nothing runs after the INSERT for a crash to interrupt` };
      }
      return { happened: true, detail: `the next ${spec.count} write(s) crash after their INSERT, before the rest of the write` };
    }
  }
}

export interface FaultRun {
  /** to be passed as the phase's onLoadStart */
  onLoadStart(h: LoadHandle): void;
  /** waits for faults in progress; those never reached are recorded as not injected */
  finish(): Promise<FaultRecord[]>;
}

export function scheduleFaults(specs: FaultSpec[], t: FaultTargets): FaultRun {
  const mine = specs.filter((f) => !f.strategies || f.strategies.includes(t.strategy.id));
  const records: FaultRecord[] = [];
  const running: Promise<void>[] = [];
  const timers: NodeJS.Timeout[] = [];
  let start = 0;
  const fired = new Set<FaultSpec>();
  let finished: Promise<FaultRecord[]> | undefined;
  return {
    onLoadStart(h) {
      start = h.measureStartsAt;
      for (const spec of mine) {
        const due = start + spec.atSeconds * 1000;
        timers.push(
          setTimeout(() => {
            fired.add(spec);
            const at = Date.now();
            running.push(
              inject(spec.kind, spec, t, h)
                .catch((e): Outcome => ({ happened: false, detail: `injection failed: ${(e as Error).message}` }))
                .then((o) => {
                  records.push({
                    kind: spec.kind,
                    injected: true,
                    happened: o.happened,
                    round: t.round,
                    at,
                    tMs: at - start,
                    detail: o.detail,
                    cost: o.downMs !== undefined ? { downMs: o.downMs } : {},
                  });
                }),
            );
          }, Math.max(0, due - Date.now())),
        );
      }
    },
    finish() {
      return (finished ??= settle());
    },
  };

  async function settle(): Promise<FaultRecord[]> {
      for (const x of timers) clearTimeout(x);
      await Promise.all(running);
      for (const spec of mine) {
        if (fired.has(spec)) continue;
        records.push({
          kind: spec.kind,
          injected: true,
          happened: false,
          round: t.round,
          at: start + spec.atSeconds * 1000,
          tMs: spec.atSeconds * 1000,
          detail: 'not injected: the load ended (or was interrupted) before its time',
          cost: {},
        });
      }
      return records.sort((a, b) => a.at - b.at);
  }
}
