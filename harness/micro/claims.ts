// The analysis's "latency per operation" figures, shown beside what micro measures: taken from
// the table of its claims (reports/analysis.ts), never written here. Only what the document
// claims; every other cell stays empty.
import { claimedOpFigure } from '../../reports/analysis.ts';
import type { MicroOp } from './micro.ts';

export function claimedLatency(strategy: string, op: MicroOp): string | undefined {
  return claimedOpFigure(strategy, op);
}
