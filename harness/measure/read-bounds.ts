// Every counter read judged against what was acknowledged, as Jepsen's counter checker does.
// For a read of user u that began at s and ended at e:
//   lower = initial + inserts acknowledged before s − deletes begun before e
//   upper = initial + inserts begun before e − deletes acknowledged before s
// A value below lower missed acknowledged inserts (stale or lost); above upper counts inserts
// that never happened, or it has not seen acknowledged deletes (inflated, or stale after deletes).
import type { Ledger } from './ledger.ts';
import type { LatencyRecorder } from './histogram.ts';
import type { ReadBounds } from '../results/types.ts';

export interface ReadStart {
  at: number;
  insAcked: number;
  delAcked: number;
}

export class ReadJudge {
  judged = 0;
  below = 0;
  above = 0;
  maxBelowBy = 0;
  maxAboveBy = 0;

  constructor(
    private readonly ledger: Ledger,
    private readonly staleness: LatencyRecorder,
  ) {}

  begin(u: number, at: number, into: ReadStart): void {
    into.at = at;
    into.insAcked = this.ledger.insAcked[u];
    into.delAcked = this.ledger.delAcked[u];
  }

  judge(u: number, value: number, start: ReadStart): void {
    const l = this.ledger;
    const lower = l.initial[u] + start.insAcked - l.delBegun[u];
    const upper = l.initial[u] + l.insBegun[u] - start.delAcked;
    this.judged++;
    if (value < lower) {
      this.below++;
      if (lower - value > this.maxBelowBy) this.maxBelowBy = lower - value;
      // at most this many of the user's inserts are in the value, if every begun delete is (so
      // the missing insert found is the latest possible one: the staleness is a lower bound)
      const reflected = value - l.initial[u] + l.delBegun[u];
      const missedAt = reflected >= 0 ? l.ackTime(u, reflected) : undefined;
      if (missedAt !== undefined && start.at > missedAt) this.staleness.record(Math.round((start.at - missedAt) * 1000));
    } else if (value > upper) {
      this.above++;
      if (value - upper > this.maxAboveBy) this.maxAboveBy = value - upper;
    }
  }

  result(): ReadBounds {
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
