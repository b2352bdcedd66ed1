// The open model: operations arrive on a schedule generated before the phase (the same for every
// strategy), whatever the server does; a pool of connections serves them in arrival order, and
// at most maxInFlight wait or run at once (arrivals beyond are dropped and counted). Latency is
// then measured from each arrival's intended start, so a stall shows in the percentiles.
import type { PhaseOptions } from './driver.ts';
import type { Client, OpRunner } from './op-runner.ts';
import { OPS } from './ops.ts';
import { createRng, deriveSeed } from './rng.ts';
import { createKeyPicker } from './keys.ts';
import { createOpPicker } from './mix.ts';
import { buildSchedule } from './schedule.ts';

/** Returns the number of arrivals dropped. */
export async function runOpen(
  o: PhaseOptions,
  clients: Client[],
  runner: OpRunner,
  { t0, warmupMs, measureMs, aborted }: { t0: number; warmupMs: number; measureMs: number; aborted: () => boolean },
): Promise<number> {
  const s = o.scenario;
  if (s.load.kind !== 'open') throw new Error('runOpen needs the open model');
  const maxInFlight = s.load.maxInFlight;
  const schedule = buildSchedule({
    rate: s.load.rate,
    warmupSeconds: warmupMs / 1000,
    durationSeconds: measureMs / 1000,
    stages: s.phases.stages,
    poisson: false,
    seed: o.seed,
  });
  // keys and operations drawn up front, in arrival order: the same for every strategy
  const rng = createRng(deriveSeed(o.seed, 1_000_003));
  const pickUser = createKeyPicker(s.keys, s.data.users, rng);
  const pickOp = createOpPicker(s.mix, rng);
  const users = new Int32Array(schedule.length);
  const opsOf = new Uint8Array(schedule.length);
  for (let i = 0; i < schedule.length; i++) {
    opsOf[i] = OPS.indexOf(pickOp());
    users[i] = pickUser();
  }

  const idle: Client[] = [...clients];
  const queue = new Int32Array(Math.max(1, maxInFlight));
  let qHead = 0;
  let qLen = 0;
  let running = 0;
  let next = 0;
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
        runner.run(cl, OPS[opsOf[i]], users[i], t0 + schedule[i]).then(() => {
          running--;
          idle.push(cl);
          dispatch();
          finishIfDone();
        });
      }
    };
    const tick = () => {
      const now = performance.now() - t0;
      while (next < schedule.length && schedule[next] <= now && !aborted()) {
        if (qLen + running < maxInFlight) {
          queue[(qHead + qLen) % queue.length] = next;
          qLen++;
        } else {
          dropped++;
          runner.drop(OPS[opsOf[next]], t0 + schedule[next]);
        }
        next++;
      }
      dispatch();
      if (aborted()) next = schedule.length;
      if (finishIfDone()) return;
      if (next < schedule.length) timer = setTimeout(tick, Math.max(0, schedule[next] - (performance.now() - t0)));
    };
    tick();
  });
}
