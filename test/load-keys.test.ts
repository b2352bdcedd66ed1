import { describe, it, expect } from 'vitest';
import { createRng, derive, deriveSeed } from '../harness/load/rng.ts';
import { createKeyPicker, harmonic } from '../harness/load/keys.ts';
import { createOpPicker } from '../harness/load/mix.ts';

const DRAWS = 200_000;

function counts(pick: () => number, users: number, n = DRAWS): Float64Array {
  const c = new Float64Array(users + 1);
  for (let i = 0; i < n; i++) {
    const u = pick();
    if (!Number.isInteger(u) || u < 1 || u > users) throw new Error(`user ${u} out of 1..${users}`);
    c[u]++;
  }
  return c;
}

describe('rng', () => {
  it('is deterministic for a seed, in [0, 1), and differs between seeds and streams', () => {
    const a = createRng(42);
    const b = createRng(42);
    const xs = Array.from({ length: 1000 }, () => a.next());
    expect(Array.from({ length: 1000 }, () => b.next())).toEqual(xs);
    expect(xs.every((x) => x >= 0 && x < 1)).toBe(true);
    expect(createRng(43).next()).not.toBe(xs[0]);
    expect(derive(42, 0).next()).not.toBe(derive(42, 1).next());
    expect(deriveSeed(42, 3)).toBe(deriveSeed(42, 3));
    const mean = xs.reduce((s, x) => s + x, 0) / xs.length;
    expect(Math.abs(mean - 0.5)).toBeLessThan(0.05);
  });

  it('streams are not correlated', () => {
    const a = derive(7, 0);
    const b = derive(7, 1);
    let sab = 0;
    const n = 50_000;
    for (let i = 0; i < n; i++) sab += (a.next() - 0.5) * (b.next() - 0.5);
    // correlation of two independent uniforms: mean of the product ~ 0 with sd 1/12/sqrt(n)
    expect(Math.abs(sab / n)).toBeLessThan(5 / 12 / Math.sqrt(n));
  });
});

describe('key distributions give the shares they promise', () => {
  it('uniform is roughly flat', () => {
    const users = 100;
    const c = counts(createKeyPicker({ kind: 'uniform' }, users, createRng(1)), users);
    const expected = DRAWS / users;
    for (let u = 1; u <= users; u++) expect(Math.abs(c[u] - expected) / expected).toBeLessThan(0.1);
  });

  it('zipfian: rank 1 gets 1/H(n,s), rank r gets 1/(r^s H(n,s))', () => {
    for (const [users, s] of [
      [1000, 1.1],
      [10_000, 0.8],
      [50, 2],
    ] as const) {
      const c = counts(createKeyPicker({ kind: 'zipfian', exponent: s }, users, createRng(2)), users);
      const h = harmonic(users, s);
      for (const r of [1, 2, 5]) {
        const p = 1 / Math.pow(r, s) / h;
        const sd = Math.sqrt(p * (1 - p) / DRAWS);
        expect(Math.abs(c[r] / DRAWS - p)).toBeLessThan(5 * sd);
      }
      // the tail is reached too
      let tail = 0;
      for (let u = Math.floor(users / 2); u <= users; u++) tail += c[u];
      let pTail = 0;
      for (let u = Math.floor(users / 2); u <= users; u++) pTail += 1 / Math.pow(u, s) / h;
      expect(Math.abs(tail / DRAWS - pTail)).toBeLessThan(5 * Math.sqrt((pTail * (1 - pTail)) / DRAWS) + 1e-4);
    }
  });

  it('hotset: the hot users get hotShare, spread evenly, the rest the remainder', () => {
    const users = 1000;
    const c = counts(createKeyPicker({ kind: 'hotset', hotUsers: 20, hotShare: 0.5 }, users, createRng(3)), users);
    let hot = 0;
    for (let u = 1; u <= 20; u++) hot += c[u];
    expect(Math.abs(hot / DRAWS - 0.5)).toBeLessThan(0.01);
    for (let u = 1; u <= 20; u++) expect(Math.abs(c[u] - hot / 20) / (hot / 20)).toBeLessThan(0.1);
    let coldMax = 0;
    for (let u = 21; u <= users; u++) coldMax = Math.max(coldMax, c[u]);
    expect(coldMax).toBeLessThan(DRAWS * 0.5 / 980 * 2);
  });

  it('hotset covering every user is uniform', () => {
    const c = counts(createKeyPicker({ kind: 'hotset', hotUsers: 10, hotShare: 0.3 }, 10, createRng(4)), 10, 50_000);
    for (let u = 1; u <= 10; u++) expect(Math.abs(c[u] - 5000) / 5000).toBeLessThan(0.1);
  });

  it('a single user always gets picked', () => {
    for (const dist of [{ kind: 'uniform' }, { kind: 'zipfian', exponent: 1 }, { kind: 'hotset', hotUsers: 1, hotShare: 0.9 }] as const) {
      const pick = createKeyPicker(dist, 1, createRng(5));
      for (let i = 0; i < 100; i++) expect(pick()).toBe(1);
    }
  });

  it('the same seed gives the same keys', () => {
    const a = createKeyPicker({ kind: 'zipfian', exponent: 1.1 }, 10_000, createRng(9));
    const b = createKeyPicker({ kind: 'zipfian', exponent: 1.1 }, 10_000, createRng(9));
    for (let i = 0; i < 1000; i++) expect(a()).toBe(b());
  });
});

describe('operation mix', () => {
  it('follows the weights', () => {
    const pick = createOpPicker({ write: 70, read: 25, delete: 5 }, createRng(6));
    const c = { write: 0, read: 0, delete: 0 };
    for (let i = 0; i < DRAWS; i++) c[pick()]++;
    expect(c.write / DRAWS).toBeCloseTo(0.7, 2);
    expect(c.read / DRAWS).toBeCloseTo(0.25, 2);
    expect(c.delete / DRAWS).toBeCloseTo(0.05, 2);
  });

  it('never picks a zero weight', () => {
    const reads = createOpPicker({ write: 0, read: 1, delete: 0 }, createRng(7));
    const writes = createOpPicker({ write: 3, read: 0, delete: 0 }, createRng(7));
    for (let i = 0; i < 10_000; i++) {
      expect(reads()).toBe('read');
      expect(writes()).toBe('write');
    }
    expect(() => createOpPicker({ write: 0, read: 0, delete: 0 }, createRng(1))).toThrow(RangeError);
  });
});
