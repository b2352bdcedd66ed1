// One thread's part of a phase's load: its load connections and, once the phase's clock starts,
// the operations it sends (closed model: its clients; open model: its arrivals). The whole load
// in one thread is the part 0 of 1; with worker threads, each runs part `index` of `of`.
import type { Scenario } from '../config/types.ts';
import type { Strategy, StrategyContext } from '../strategies/types.ts';
import type { Ledger } from '../measure/ledger.ts';
import { closeConn, openConn } from './load-conn.ts';
import { OpRunner, type Client } from './op-runner.ts';
import { AppCrash } from './error-kind.ts';
import type { LoadControl } from './load-control.ts';
import { clientCount, phaseWindow, type PhaseWindow } from './phase-window.ts';
import { runClosed } from './closed-model.ts';
import { planArrivals, runOpen, type ArrivalPlan } from './open-model.ts';

export interface ShareOptions {
  strategy: Strategy;
  ctx: StrategyContext;
  pgUrl: string;
  redisUrl?: string;
  scenario: Scenario;
  ledger: Ledger;
  seed: number;
  control: LoadControl;
  part: { index: number; of: number };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

/** Client indices of part `index` of `of`: dealt in turn, so that a ramp of clients (which
 *  activates them by index) grows every part alike. */
export function clientsOf(total: number, part: { index: number; of: number }): number[] {
  const out: number[] = [];
  for (let i = part.index; i < total; i += part.of) out.push(i);
  return out;
}

export class LoadShare {
  readonly clients: Client[] = [];
  reconnects = 0;
  /** writes that crashed after their first statement (an injected fault) */
  appCrashes = 0;
  private started?: { runner: OpRunner; w: PhaseWindow };
  /** open model: every arrival of the phase, planned before its clock starts */
  private readonly plan: ArrivalPlan | null;

  private constructor(private readonly o: ShareOptions) {
    this.plan = o.scenario.load.kind === 'open' ? planArrivals(o.scenario, o.seed) : null;
  }

  /** Opens this part's load connections; all or none. */
  static async open(o: ShareOptions): Promise<LoadShare> {
    const share = new LoadShare(o);
    try {
      for (const i of clientsOf(clientCount(o.scenario), o.part)) {
        const conn = await openConn(o, share.crashPoint);
        o.control.setPid(i, conn.pid ?? 0);
        share.clients.push({
          conn,
          index: i,
          answer: { userId: 0, sessionId: 0, questionJsonId: 'q-bench', rawAnswer: 'an answer written by counterbench' },
          target: { userId: 0, sessionId: 0 },
          readStart: { at: 0, insAcked: 0, delAcked: 0 },
        });
      }
    } catch (e) {
      await share.close();
      throw e;
    }
    return share;
  }

  private readonly crashPoint = () => {
    if (!this.o.control.takeCrash()) return;
    this.appCrashes++;
    throw new AppCrash();
  };

  private readonly reconnect = async (cl: Client) => {
    await closeConn(cl.conn);
    const end = this.started?.w.end ?? 0;
    while (!this.o.control.aborted && performance.now() < end) {
      try {
        cl.conn = await openConn(this.o, this.crashPoint);
        this.o.control.setPid(cl.index, cl.conn.pid ?? 0);
        this.reconnects++;
        return;
      } catch {
        await sleep(100);
      }
    }
  };

  /** Starts the phase's clock at t0 (this thread's performance.now() ms). */
  begin(t0: number): OpRunner {
    const s = this.o.scenario;
    const w = phaseWindow(s, t0);
    const runner = new OpRunner(this.o.strategy, this.o.ledger, s.data.sessionsPerUser, s.options.maxRetries, {
      measureStart: w.measureStart,
      end: w.end,
      // The second an operation is filed under in the per-second series: in the closed model the
      // one it started in (clients start operations only inside the window, so every second is
      // full); in the open model the one it completed in, so that a server falling behind its
      // schedule shows as the rate it achieved, backlog included.
      seriesSecond: (intended, done) => Math.floor(((s.load.kind === 'open' ? done : intended) - w.measureStart) / 1000),
    }, this.reconnect);
    this.started = { runner, w };
    return runner;
  }

  /** Runs the load until the phase ends or is aborted; returns the open model's dropped arrivals. */
  async drive(): Promise<number> {
    if (!this.started) throw new Error('LoadShare.drive before begin');
    const { runner, w } = this.started;
    const { scenario: s, seed, control, part } = this.o;
    if (s.load.kind === 'closed') {
      await runClosed(s, seed, this.clients, runner, w, () => control.aborted);
      return 0;
    }
    return runOpen(s, this.plan!, part, this.clients, runner, control, w);
  }

  async close(): Promise<void> {
    await Promise.all(this.clients.map((c) => closeConn(c.conn)));
  }
}
