// What the driver knows for certain about each user's answers, as Jepsen's counter checker
// keeps it: how many were present at the start, how many inserts and deletes were begun and
// acknowledged since. Bounds for every read, and the cheap truth for the drift sampler, come
// from here.

export class Ledger {
  readonly initial: Int32Array;
  readonly insBegun: Int32Array;
  readonly insAcked: Int32Array;
  readonly delBegun: Int32Array;
  /** deletes acknowledged that removed a row */
  readonly delAcked: Int32Array;
  /** per user, acknowledgment times (performance.now() ms) of its inserts, in order */
  private readonly ackTimes: Array<number[] | undefined>;
  initialTotal = 0;
  totalInsAcked = 0;
  totalDelAcked = 0;
  /** operations whose outcome is unknown (the connection broke before the reply) */
  inDoubt = 0;
  /** inserts begun while another insert of the same user was still open: the same-user
   *  concurrency that races need, and so the evidence that a race could have shown */
  writeOverlaps = 0;
  private readonly insFailed: Int32Array;
  totalInsBegun = 0;
  totalDelBegun = 0;

  constructor(users: number, initialCounts: Map<number, number>) {
    const n = users + 1; // user ids are 1-based
    this.initial = new Int32Array(n);
    this.insBegun = new Int32Array(n);
    this.insAcked = new Int32Array(n);
    this.delBegun = new Int32Array(n);
    this.delAcked = new Int32Array(n);
    this.insFailed = new Int32Array(n);
    this.ackTimes = new Array(n);
    for (const [u, c] of initialCounts) {
      if (u > 0 && u < n) {
        this.initial[u] = c;
        this.initialTotal += c;
      }
    }
  }

  insertBegun(u: number) {
    if (this.insBegun[u] - this.insAcked[u] - this.insFailed[u] > 0) this.writeOverlaps++;
    this.insBegun[u]++;
    this.totalInsBegun++;
  }
  insertFailed(u: number) {
    this.insFailed[u]++;
  }
  insertAcked(u: number, at: number) {
    this.insAcked[u]++;
    this.totalInsAcked++;
    (this.ackTimes[u] ??= []).push(at);
  }
  deleteBegun(u: number) {
    this.delBegun[u]++;
    this.totalDelBegun++;
  }
  deleteAcked(u: number, removed: boolean) {
    if (!removed) return;
    this.delAcked[u]++;
    this.totalDelAcked++;
  }

  /** The range the number of stored answers lies in now, with operations in flight either way:
   *  the read bounds of one user, summed over all. */
  truthRange(): { lo: number; hi: number } {
    return {
      lo: this.initialTotal + this.totalInsAcked - this.totalDelBegun,
      hi: this.initialTotal + this.totalInsBegun - this.totalDelAcked,
    };
  }

  /** When the k-th (0-based) acknowledged insert of user u was acknowledged, if it was. */
  ackTime(u: number, k: number): number | undefined {
    return this.ackTimes[u]?.[k];
  }
}
