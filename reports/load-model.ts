// What the run's load model means for its latency figures, in the words every report uses. The
// two models measure different things: a closed client waits for its answer before sending the
// next, so a stalled server is never asked for the work it would have queued (coordinated
// omission) and the stall shows as lost throughput; the open model keeps to its schedule and
// counts the queueing.
import type { LoadModel } from '../harness/config/types.ts';
import type { Results } from '../harness/results/types.ts';

export interface LoadModelNote {
  kind: LoadModel['kind'] | 'unknown';
  /** e.g. "Closed model, 16 clients" */
  name: string;
  /** what latency is under this model, and where a stall shows */
  meaning: string;
  /** which second an operation is filed under in the per-second series */
  seriesSecond: string;
}

export function loadModelNote(results: Results): LoadModelNote {
  const load = results.run.scenario?.load;
  if (load?.kind === 'closed') {
    return {
      kind: 'closed',
      name: `Closed model, ${load.clients} client${load.clients === 1 ? '' : 's'}${load.thinkTimeMs > 0 ? `, ${load.thinkTimeMs} ms think time` : ''}`,
      meaning:
        'Each client sends its next operation only when the previous one has answered, so latency is service time: from the first send to the final reply. ' +
        'When the server stalls, the clients wait instead of sending, and the operations a real user would have sent meanwhile are never measured: ' +
        'a stall shows as lost throughput (the dip in throughput over time), not in these percentiles.',
      seriesSecond: 'the second each operation started in',
    };
  }
  if (load?.kind === 'open') {
    return {
      kind: 'open',
      name: `Open model, ${load.rate} arrivals/s on ${load.clients} connection${load.clients === 1 ? '' : 's'}`,
      meaning:
        "Operations arrive on a fixed schedule whatever the server does, and latency is measured from each operation's intended start, " +
        'so time spent queued behind a slow or stalled server counts. Service time (from the send to the reply) is shown beside it where the two differ.',
      seriesSecond: 'the second each operation completed in',
    };
  }
  return {
    kind: 'unknown',
    name: 'Load model not recorded',
    meaning: 'These results do not say which load model ran, so whether latency includes queueing behind a stall cannot be told.',
    seriesSecond: 'its second',
  };
}

/** What the service-time columns hold, where reports show them beside latency. */
export const SERVICE_TIME_MEANING = 'Service p50 and p99: from the last send to the reply, without the wait for a connection or for earlier attempts';
