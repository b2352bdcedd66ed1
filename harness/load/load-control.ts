// What every thread of one phase's load shares besides the ledger, in one SharedArrayBuffer: the
// stop flag, the writes armed to crash (fault injection), the open model's operations in flight,
// and the backend pid of every load connection by client index. With worker threads each of them
// sees the others' changes at once; in one thread it is the same code, without the threads.

const ABORTED = 0;
const CRASHES_ARMED = 1;
const IN_FLIGHT = 2;
const PIDS = 3;

export class LoadControl {
  private readonly a: Int32Array;

  /** `clients`: how many load connections the phase opens, all threads together */
  constructor(clientsOrBuffer: number | SharedArrayBuffer) {
    const buffer = typeof clientsOrBuffer === 'number' ? new SharedArrayBuffer(4 * (PIDS + clientsOrBuffer)) : clientsOrBuffer;
    this.a = new Int32Array(buffer);
  }

  /** to build the same control in a worker thread (`new LoadControl(buffer)`) */
  get buffer(): SharedArrayBuffer {
    return this.a.buffer as SharedArrayBuffer;
  }

  abort(): void {
    Atomics.store(this.a, ABORTED, 1);
  }

  /** Aborts when the caller's signal fires; returns the function that unhooks it. */
  follow(signal: AbortSignal | undefined): () => void {
    if (!signal) return () => {};
    const abort = () => this.abort();
    if (signal.aborted) abort();
    signal.addEventListener('abort', abort);
    return () => signal.removeEventListener('abort', abort);
  }

  get aborted(): boolean {
    return Atomics.load(this.a, ABORTED) === 1;
  }

  armCrashes(n: number): void {
    Atomics.add(this.a, CRASHES_ARMED, n);
  }

  /** true, once per armed crash, for whichever thread asks first */
  takeCrash(): boolean {
    for (;;) {
      const armed = Atomics.load(this.a, CRASHES_ARMED);
      if (armed <= 0) return false;
      if (Atomics.compareExchange(this.a, CRASHES_ARMED, armed, armed - 1) === armed) return true;
    }
  }

  /** Open model: one more operation in flight, unless `max` already are (then the arrival is
   *  dropped). Exact across threads: no two threads can both take the last place. */
  admit(max: number): boolean {
    for (;;) {
      const n = Atomics.load(this.a, IN_FLIGHT);
      if (n >= max) return false;
      if (Atomics.compareExchange(this.a, IN_FLIGHT, n, n + 1) === n) return true;
    }
  }

  /** an admitted operation finished */
  release(): void {
    Atomics.sub(this.a, IN_FLIGHT, 1);
  }

  setPid(client: number, pid: number): void {
    Atomics.store(this.a, PIDS + client, pid);
  }

  /** the backend pid of each load connection, by client index (0 while one is being replaced) */
  pids(): number[] {
    const out: number[] = [];
    for (let i = PIDS; i < this.a.length; i++) out.push(Atomics.load(this.a, i));
    return out;
  }
}
