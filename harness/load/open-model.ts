// The open model: operations arrive on a schedule generated before the phase (the same for every
// strategy), whatever the server does; a pool of connections serves them in arrival order, and
// at most maxInFlight wait or run at once (arrivals beyond are dropped and counted). Latency is
// then measured from each arrival's intended start, so a stall shows in the percentiles.
//
// With worker threads, every thread plans the whole schedule (keys and operations drawn up front,
// in arrival order, so they do not depend on the number of threads) and takes the arrivals whose
// index modulo the number of threads is its own. Each arrival is still sent at its intended time,
// by its thread's timer. maxInFlight holds across all threads (one shared count, see
// load-control.ts); what is split is the pool: an arrival waits for an idle connection of its own
// thread, even if another thread has one idle. With arrivals dealt in turn and the connections
// split evenly, the pools see the same load to within one arrival.
import type { Scenario } from '../config/types.ts';
import type { Client, OpRunner } from './op-runner.ts';
import type { LoadControl } from './load-control.ts';
import { measuredSeconds, type PhaseWindow } from './phase-window.ts';
import { OPS } from './ops.ts';
import { createRng, deriveSeed } from './rng.ts';
import { createKeyPicker } from './keys.ts';
import { createOpPicker } from './mix.ts';
import { buildSchedule } from './schedule.ts';

/** Every arrival of a phase: when (ms from its start), which operation (index into OPS), whom. */
export interface ArrivalPlan {
  at: Float64Array;
  ops: Uint8Array;
  users: Int32Array;
}

export function planArrivals(s: Scenario, seed: number): ArrivalPlan {
  if (s.load.kind !== 'open') throw new Error('planArrivals needs the open model');
  const at = buildSchedule({
    rate: s.load.rate,
    warmupSeconds: s.phases.warmupSeconds,
    durationSeconds: measuredSeconds(s),
    stages: s.phases.stages,
    poisson: false,
    seed,
  });
  // keys and operations drawn up front, in arrival order: the same for every strategy
  const rng = createRng(deriveSeed(seed, 1_000_003));
  const pickUser = createKeyPicker(s.keys, s.data.users, rng);
  const pickOp = createOpPicker(s.mix, rng);
  const users = new Int32Array(at.length);
  const ops = new Uint8Array(at.length);
  for (let i = 0; i < at.length; i++) {
    ops[i] = OPS.indexOf(pickOp());
    users[i] = pickUser();
  }
  return { at, ops, users };
}

/** Serves this thread's arrivals (index modulo `part.of` equal to `part.index`); returns the
 *  number it dropped. */
export async function runOpen(
  s: Scenario,
  plan: ArrivalPlan,
  part: { index: number; of: number },
  clients: Client[],
  runner: OpRunner,
  control: LoadControl,
  w: PhaseWindow,
): Promise<number> {
  if (s.load.kind !== 'open') throw new Error('runOpen needs the open model');
  const maxInFlight = s.load.maxInFlight;
  const schedule = plan.at;
  const t0 = w.t0;
  const aborted = () => control.aborted;
  const idle: Client[] = [...clients];
  const queue = new Int32Array(Math.max(1, maxInFlight));
  let qHead = 0;
  let qLen = 0;
  let running = 0;
  let next = part.index;
  let dropped = 0;

  return new Promise<number>((resolve) => {
    let timer: NodeJS.Timeout | undefined;
    const finishIfDone = () => {
      if ((next >= schedule.length || aborted()) && running === 0 && (qLen === 0 || aborted())) {
        if (timer) clearTimeout(timer);
        resolve(dropped);
        return true;
      }
      return false;
    };
    const dispatch = () => {
      while (idle.length && qLen > 0 && !aborted()) {
        const cl = idle.pop()!;
        const i = queue[qHead];
        qHead = (qHead + 1) % queue.length;
        qLen--;
        running++;
        runner.run(cl, OPS[plan.ops[i]], plan.users[i], t0 + schedule[i]).then(() => {
          running--;
          control.release();
          idle.push(cl);
          dispatch();
          finishIfDone();
        });
      }
    };
    const tick = () => {
      const now = performance.now() - t0;
      while (next < schedule.length && schedule[next] <= now && !aborted()) {
        if (control.admit(maxInFlight)) {
          queue[(qHead + qLen) % queue.length] = next;
          qLen++;
        } else {
          dropped++;
          runner.drop(OPS[plan.ops[next]], t0 + schedule[next]);
        }
        next += part.of;
      }
      dispatch();
      if (aborted()) next = schedule.length;
      if (finishIfDone()) return;
      if (next < schedule.length) timer = setTimeout(tick, Math.max(0, schedule[next] - (performance.now() - t0)));
    };
    tick();
  });
}
