// What the driver knows for certain about each user's answers, as Jepsen's counter checker
// keeps it: how many were present at the start, how many inserts and deletes were begun and
// acknowledged since. Bounds for every read, and the cheap truth for the drift sampler, come
// from here.
//
// The counts live in one SharedArrayBuffer and change only through Atomics, so that load worker
// threads (load/worker-pool.ts) and the main thread's drift sampler see one live truth. Only the
// acknowledgment times stay per thread: a worker ships its own to the ledger of the main thread
// after the phase (ackTimesOut / addAckTimes), which is where stale reads are timed.

/** The shared part of a ledger, to build a view of the same ledger in another thread. */
export interface SharedLedger {
  users: number;
  buffer: SharedArrayBuffer;
}

/** Acknowledgment times of inserts, flat: user ids and performance.now() ms, pairwise. */
export interface AckTimes {
  users: Int32Array;
  at: Float64Array;
}

// per-user arrays, in this order, then the totals
const PER_USER = 6;
const T_INITIAL = 0;
const T_INS_BEGUN = 1;
const T_INS_ACKED = 2;
const T_DEL_BEGUN = 3;
const T_DEL_ACKED = 4;
const T_IN_DOUBT = 5;
const T_WRITE_OVERLAPS = 6;
const TOTALS = 7;

export class Ledger {
  readonly initial: Int32Array;
  readonly insBegun: Int32Array;
  readonly insAcked: Int32Array;
  readonly delBegun: Int32Array;
  /** deletes acknowledged that removed a row */
  readonly delAcked: Int32Array;
  private readonly insFailed: Int32Array;
  private readonly totals: Int32Array;
  private readonly users: number;
  private readonly buffer: SharedArrayBuffer;
  /** per user, acknowledgment times (performance.now() ms) of its inserts heard in this thread,
   *  ascending */
  private readonly ackTimes: Array<number[] | undefined>;

  constructor(users: number, initialCounts: Map<number, number>);
  constructor(shared: SharedLedger);
  constructor(usersOrShared: number | SharedLedger, initialCounts?: Map<number, number>) {
    const shared = typeof usersOrShared === 'number' ? undefined : usersOrShared;
    this.users = shared ? shared.users : (usersOrShared as number);
    const n = this.users + 1; // user ids are 1-based
    this.buffer = shared?.buffer ?? new SharedArrayBuffer(4 * (PER_USER * n + TOTALS));
    const at = (i: number) => new Int32Array(this.buffer, 4 * i * n, n);
    this.initial = at(0);
    this.insBegun = at(1);
    this.insAcked = at(2);
    this.delBegun = at(3);
    this.delAcked = at(4);
    this.insFailed = at(5);
    this.totals = new Int32Array(this.buffer, 4 * PER_USER * n, TOTALS);
    this.ackTimes = new Array(n);
    if (shared) return;
    for (const [u, c] of initialCounts ?? []) {
      if (u > 0 && u < n) {
        this.initial[u] = c;
        this.totals[T_INITIAL] += c;
      }
    }
  }

  /** What another thread needs to build a view of this ledger (`new Ledger(shared)`). */
  shared(): SharedLedger {
    return { users: this.users, buffer: this.buffer };
  }

  get initialTotal(): number {
    return Atomics.load(this.totals, T_INITIAL);
  }
  get totalInsBegun(): number {
    return Atomics.load(this.totals, T_INS_BEGUN);
  }
  get totalInsAcked(): number {
    return Atomics.load(this.totals, T_INS_ACKED);
  }
  get totalDelBegun(): number {
    return Atomics.load(this.totals, T_DEL_BEGUN);
  }
  get totalDelAcked(): number {
    return Atomics.load(this.totals, T_DEL_ACKED);
  }
  /** operations whose outcome is unknown (the connection broke before the reply) */
  get inDoubt(): number {
    return Atomics.load(this.totals, T_IN_DOUBT);
  }
  /** inserts begun while another insert of the same user was still open: the same-user
   *  concurrency that races need, and so the evidence that a race could have shown */
  get writeOverlaps(): number {
    return Atomics.load(this.totals, T_WRITE_OVERLAPS);
  }

  insertBegun(u: number) {
    const open = Atomics.load(this.insBegun, u) - Atomics.load(this.insAcked, u) - Atomics.load(this.insFailed, u);
    if (open > 0) Atomics.add(this.totals, T_WRITE_OVERLAPS, 1);
    Atomics.add(this.insBegun, u, 1);
    Atomics.add(this.totals, T_INS_BEGUN, 1);
  }
  insertFailed(u: number) {
    Atomics.add(this.insFailed, u, 1);
  }
  insertAcked(u: number, at: number) {
    Atomics.add(this.insAcked, u, 1);
    Atomics.add(this.totals, T_INS_ACKED, 1);
    (this.ackTimes[u] ??= []).push(at);
  }
  deleteBegun(u: number) {
    Atomics.add(this.delBegun, u, 1);
    Atomics.add(this.totals, T_DEL_BEGUN, 1);
  }
  deleteAcked(u: number, removed: boolean) {
    if (!removed) return;
    Atomics.add(this.delAcked, u, 1);
    Atomics.add(this.totals, T_DEL_ACKED, 1);
  }
  /** a write or delete that failed may still have happened (or half happened) */
  operationInDoubt() {
    Atomics.add(this.totals, T_IN_DOUBT, 1);
  }

  /** The range the number of stored answers lies in now, with operations in flight either way:
   *  the read bounds of one user, summed over all. While other threads write, each bound reads
   *  its growing part last, so it is never tighter than the truth at any moment of the call. */
  truthRange(): { lo: number; hi: number } {
    const t = this.totals;
    const initial = Atomics.load(t, T_INITIAL);
    const insAcked = Atomics.load(t, T_INS_ACKED);
    const delBegun = Atomics.load(t, T_DEL_BEGUN);
    const delAcked = Atomics.load(t, T_DEL_ACKED);
    const insBegun = Atomics.load(t, T_INS_BEGUN);
    return { lo: initial + insAcked - delBegun, hi: initial + insBegun - delAcked };
  }

  /** When the k-th (0-based, in time order) acknowledged insert of user u was acknowledged, if
   *  this thread has heard of it. */
  ackTime(u: number, k: number): number | undefined {
    return this.ackTimes[u]?.[k];
  }

  /** The acknowledgment times this thread heard of, to ship to the main thread; `shiftMs` turns
   *  them into the receiver's clock. Forgets them here. */
  ackTimesOut(shiftMs = 0): AckTimes {
    let n = 0;
    for (const a of this.ackTimes) n += a?.length ?? 0;
    const users = new Int32Array(n);
    const at = new Float64Array(n);
    let i = 0;
    this.ackTimes.forEach((a, u) => {
      for (const t of a ?? []) {
        users[i] = u;
        at[i++] = t + shiftMs;
      }
    });
    this.ackTimes.fill(undefined);
    return { users, at };
  }

  /** Acknowledgment times heard in other threads (their inserts are already counted). Each
   *  user's times are kept in time order, so that k counts acknowledgments as one thread would. */
  addAckTimes(a: AckTimes): void {
    const touched = new Set<number>();
    for (let i = 0; i < a.users.length; i++) {
      const u = a.users[i];
      (this.ackTimes[u] ??= []).push(a.at[i]);
      touched.add(u);
    }
    for (const u of touched) this.ackTimes[u]!.sort((x, y) => x - y);
  }
}
