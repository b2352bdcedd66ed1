// Two runs for compare's tests: the report fixture with six rounds per strategy, each round's
// write figures measured on this machine (not invented), so the statistics work on real spread.
import type { Results, RoundResult } from '../harness/results/types.ts';
import { buildResults } from './reports-fixture.ts';

// Rounds measured on this machine (ci-gate, 6 rounds): baseline's and manual-update's write
// figures per round, as results.json keeps them. The fixture's strategies get these rounds, so the
// statistics work on real spread; the hand-made changes below are applied to them.
const MEASURED = {
  baseline: {
    mean: [0.487, 0.448, 0.368, 0.539, 0.557, 0.539],
    p50: [0.419, 0.39, 0.33, 0.443, 0.419, 0.416],
    p99: [1.543, 1.398, 1.105, 2.987, 2.345, 2.351],
    throughput: [7001, 7426, 9002, 6227, 5953, 6226],
    wal: [562.9, 404.5, 344.8, 570.9, 335.6, 340.4],
    dead: [0.0658, 0.0647, 0.0672, 0.0682, 0.0653, 0.0659],
  },
  counter: {
    mean: [1.338, 1.585, 1.744, 4.545, 2.074, 2.982],
    p50: [1.171, 1.438, 1.644, 2.997, 1.676, 2.649],
    p99: [4.783, 3.929, 3.315, 18.591, 8.407, 8.983],
    throughput: [2724, 2290, 2065, 802, 1745, 1222],
    wal: [1226.2, 1225.6, 1647.8, 1069.7, 1061.8, 751.9],
    dead: [3.0615, 3.0617, 3.07, 3.0697, 3.0652, 3.0624],
  },
};

type Rounds = typeof MEASURED.baseline;

function roundsOf(m: Rounds, latencyFactor = 1): RoundResult[] {
  return m.mean.map((mean, i) => {
    const l = { mean: mean * latencyFactor, p50: m.p50[i] * latencyFactor, p95: m.p99[i] * latencyFactor * 0.6, p99: m.p99[i] * latencyFactor, max: m.p99[i] * latencyFactor * 3 };
    const count = Math.round((m.throughput[i] / latencyFactor) * 2);
    return {
      round: i + 1,
      ops: { write: { count, errors: 0, throughput: m.throughput[i] / latencyFactor, latencyMs: l } },
      server: { walBytesPerWrite: m.wal[i], deadTuplesPerWrite: m.dead[i] },
    };
  });
}

/** The fixture with six measured rounds per strategy; `slower` strategies take three times as
 *  long per write in every round (and so manage a third of the writes): about what 2 ms of
 *  pg_sleep per write did to trigger-upsert on this machine (+226 % on its median ratio). */
export function measured(o: { slower?: string[]; adjust?: (r: Results) => void } = {}): Results {
  return buildResults((r) => {
    for (const s of r.strategies) {
      if (s.status !== 'ok' || !s.ops.write) continue;
      s.rounds = roundsOf(s.id === 'baseline' ? MEASURED.baseline : MEASURED.counter, o.slower?.includes(s.id) ? 3 : 1);
    }
    o.adjust?.(r);
  });
}

