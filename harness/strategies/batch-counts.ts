// A batch's answers counted per user and per session, for the strategies whose application
// counts a batch itself (BatchCounting 'application').
import type { Answer, BatchCounts } from './types.ts';

export function batchCounts(answers: readonly Answer[]): BatchCounts {
  const byUser = new Map<number, number>();
  const bySession = new Map<number, number>();
  for (const a of answers) {
    byUser.set(a.userId, (byUser.get(a.userId) ?? 0) + 1);
    bySession.set(a.sessionId, (bySession.get(a.sessionId) ?? 0) + 1);
  }
  return { rows: answers.length, byUser, bySession };
}

/** Keys in ascending order: concurrent batches lock counter rows in the same order. */
export function ascending(m: Map<number, number>): Array<[number, number]> {
  return [...m].sort((a, b) => a[0] - b[0]);
}
