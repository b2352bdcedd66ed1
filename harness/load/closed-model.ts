// The closed model: each client sends its next operation when the previous one answered (plus
// think time). A client's keys and operations come from its own random stream, chosen by its
// index among all the phase's clients, so they are the same whichever thread runs it.
import type { Scenario } from '../config/types.ts';
import type { Client, OpRunner } from './op-runner.ts';
import { createRng, deriveSeed } from './rng.ts';
import { createKeyPicker } from './keys.ts';
import { createOpPicker } from './mix.ts';
import { levelAt, type PhaseWindow } from './phase-window.ts';

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

export async function runClosed(
  s: Scenario,
  seed: number,
  clients: Client[],
  runner: OpRunner,
  w: PhaseWindow,
  aborted: () => boolean,
): Promise<void> {
  const load = s.load;
  if (load.kind !== 'closed') throw new Error('runClosed needs the closed model');
  await Promise.all(
    clients.map(async (cl) => {
      const rng = createRng(deriveSeed(seed, cl.index));
      const pickUser = createKeyPicker(s.keys, s.data.users, rng);
      const pickOp = createOpPicker(s.mix, rng);
      for (;;) {
        const now = performance.now();
        if (now >= w.end || aborted()) return;
        // a ramp of clients activates them by index, whichever thread each one is in
        const active = now < w.measureStart ? load.clients : levelAt(s, load.clients, (now - w.measureStart) / 1000);
        if (cl.index >= Math.round(active)) {
          await sleep(20);
          continue;
        }
        await runner.run(cl, pickOp(), pickUser(), now);
        if (load.thinkTimeMs > 0) await sleep(load.thinkTimeMs);
      }
    }),
  );
}
