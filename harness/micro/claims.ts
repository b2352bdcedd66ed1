// The analysis's "latency per operation" figures (/work/shared/seed/README.md), shown beside what
// micro measures. Only what the document claims; every other cell stays empty.
import type { MicroOp } from './micro.ts';

const CLAIMS: Record<string, Partial<Record<MicroOp, string>>> = {
  'manual-update': { write: '0.3-0.5 ms' },
  'trigger-upsert': { write: '0.5-1 ms' },
  'redis-queue': { write: '0.08 ms' },
  // the document's per-read figure is for 100K answers per user, far more than micro seeds
  'count-star': { read: '50-200 ms at large volume' },
};

export function claimedLatency(strategy: string, op: MicroOp): string | undefined {
  return CLAIMS[strategy]?.[op];
}
