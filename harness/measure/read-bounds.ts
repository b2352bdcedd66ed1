// Every counter read judged against what was acknowledged, as Jepsen's counter checker does.
// For a read of user u that began at s and ended at e:
//   lower = initial + inserts acknowledged before s − deletes begun before e
//   upper = initial + inserts begun before e − deletes acknowledged before s
// A value below lower missed acknowledged inserts (stale or lost); above upper counts inserts
// that never happened, or it has not seen acknowledged deletes (inflated, or stale after deletes).
//
// How stale a read below its bound was needs the time of the insert it missed, which the thread
// that acknowledged it knows. So a judge only notes which insert each such read missed, and the
// staleness is timed in result(), by the thread whose ledger has every acknowledgment time (with
// load workers: the main thread, after merging every worker's judge and ack times).
import type { Ledger } from './ledger.ts';
import type { LatencyRecorder } from './histogram.ts';
import type { ReadBounds } from '../results/types.ts';

export interface ReadStart {
  at: number;
  insAcked: number;
  delAcked: number;
}

/** A judge's findings, to merge into another thread's judge. */
export interface JudgedReads {
  judged: number;
  below: number;
  above: number;
  maxBelowBy: number;
  maxAboveBy: number;
  /** reads below their bound: the user, the index of the latest insert the value can have
   *  missed, and when the read began (performance.now() ms, the receiver's clock) */
  missed: { users: Int32Array; index: Int32Array; at: Float64Array };
}

export class ReadJudge {
  judged = 0;
  below = 0;
  above = 0;
  maxBelowBy = 0;
  maxAboveBy = 0;
  private missedUser: number[] = [];
  private missedIndex: number[] = [];
  private missedAt: number[] = [];

  constructor(
    private readonly ledger: Ledger,
    private readonly staleness: LatencyRecorder,
  ) {}

  begin(u: number, at: number, into: ReadStart): void {
    into.at = at;
    into.insAcked = Atomics.load(this.ledger.insAcked, u);
    into.delAcked = Atomics.load(this.ledger.delAcked, u);
  }

  judge(u: number, value: number, start: ReadStart): void {
    const l = this.ledger;
    const initial = l.initial[u];
    const delBegun = Atomics.load(l.delBegun, u);
    const lower = initial + start.insAcked - delBegun;
    const upper = initial + Atomics.load(l.insBegun, u) - start.delAcked;
    this.judged++;
    if (value < lower) {
      this.below++;
      if (lower - value > this.maxBelowBy) this.maxBelowBy = lower - value;
      // at most this many of the user's inserts are in the value, if every begun delete is (so
      // the missing insert found is the latest possible one: the staleness is a lower bound)
      const reflected = value - initial + delBegun;
      if (reflected >= 0) {
        this.missedUser.push(u);
        this.missedIndex.push(reflected);
        this.missedAt.push(start.at);
      }
    } else if (value > upper) {
      this.above++;
      if (value - upper > this.maxAboveBy) this.maxAboveBy = value - upper;
    }
  }

  /** What this judge found, for the judge of another thread; `shiftMs` turns read start times
   *  into the receiver's clock. */
  out(shiftMs = 0): JudgedReads {
    return {
      judged: this.judged,
      below: this.below,
      above: this.above,
      maxBelowBy: this.maxBelowBy,
      maxAboveBy: this.maxAboveBy,
      missed: {
        users: Int32Array.from(this.missedUser),
        index: Int32Array.from(this.missedIndex),
        at: Float64Array.from(this.missedAt, (t) => t + shiftMs),
      },
    };
  }

  merge(r: JudgedReads): void {
    this.judged += r.judged;
    this.below += r.below;
    this.above += r.above;
    this.maxBelowBy = Math.max(this.maxBelowBy, r.maxBelowBy);
    this.maxAboveBy = Math.max(this.maxAboveBy, r.maxAboveBy);
    for (let i = 0; i < r.missed.users.length; i++) {
      this.missedUser.push(r.missed.users[i]);
      this.missedIndex.push(r.missed.index[i]);
      this.missedAt.push(r.missed.at[i]);
    }
  }

  /** Times the reads below their bound against the ledger's acknowledgment times: call it where
   *  the ledger has all of them. */
  result(): ReadBounds {
    this.staleness.reset();
    for (let i = 0; i < this.missedUser.length; i++) {
      const missedAt = this.ledger.ackTime(this.missedUser[i], this.missedIndex[i]);
      const at = this.missedAt[i];
      if (missedAt !== undefined && at > missedAt) this.staleness.record(Math.round((at - missedAt) * 1000));
    }
    const s = this.staleness.count > 0 ? this.staleness.summary() : null;
    return {
      judged: this.judged,
      below: this.below,
      above: this.above,
      outOfBoundsPct: this.judged ? ((this.below + this.above) / this.judged) * 100 : 0,
      maxBelowBy: this.maxBelowBy,
      maxAboveBy: this.maxAboveBy,
      staleMs: s ? { p50: s.p50, p99: s.p99, max: s.max, reads: this.staleness.count } : null,
    };
  }
}
