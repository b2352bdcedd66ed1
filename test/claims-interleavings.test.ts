// The analysis's race claims cite the interleavings as proof: a permutation that loses an
// increment every time it runs decides "no lost updates", and none among those tried decides
// "manual UPDATE loses increments" the other way, whether or not a load run could.
import { describe, it, expect } from 'vitest';
import { interleave } from '../harness/interleave/interleave.ts';
import { strategyById } from '../harness/strategies/index.ts';
import { checkClaims } from '../reports/claims.ts';
import { testDatabaseUrl, testRedisUrl, uniqueTag } from './support/env.ts';

describe('race claims from the interleavings', () => {
  it("007's claim is refuted by the interleaving that loses an increment; manual UPDATE's by none losing one", async () => {
    const results = await interleave({
      strategies: ['production-trigger', 'manual-update'].map((id) => strategyById(id)!),
      databaseUrl: testDatabaseUrl(),
      env: { REDIS_URL: testRedisUrl() },
      namespace: uniqueTag(),
    });
    const claims = Object.fromEntries(checkClaims(results).map((c) => [c.id, c]));
    const noLost = claims['production-trigger-no-lost-updates'];
    expect(noLost.status).toBe('refuted');
    expect(noLost.evidence).toMatch(/^this interleaving loses an increment every time: s1 BEGIN, .*\(spec two-inserts/);
    const manual = claims['manual-race'];
    expect(manual.status).toBe('refuted');
    expect(manual.evidence).toMatch(/^no interleaving of two writes of one user loses an increment: \d+ permutations tried \(two-inserts, two-inserts-statements\)/);
  });
});
