// The part of an exported k6 script that picks each iteration's operation and user: the harness's
// own generator (sfc32 seeded through splitmix32, harness/load/rng.ts), key distributions
// (harness/load/keys.ts) and mix (harness/load/mix.ts), as TypeScript text for k6's runtime. It is
// a copy because k6 cannot import the harness; test/export-k6.test.ts runs it beside the
// harness's and holds every draw equal, so the copy cannot drift from the original unnoticed.
export const K6_RUNTIME = `
// ---- the harness's random streams, keys and mix (a tested copy of harness/load) ----
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

class Rng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;
  constructor(seed: number) {
    const s = seed >>> 0;
    this.a = splitmix32(s);
    this.b = splitmix32(this.a ^ 0x6a09e667);
    this.c = splitmix32(this.b ^ 0xbb67ae85);
    this.d = 1;
    for (let i = 0; i < 12; i++) this.nextUint32();
  }
  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }
  next(): number {
    return this.nextUint32() / 4294967296;
  }
}

function deriveSeed(seed: number, stream: number): number {
  return splitmix32(splitmix32(seed >>> 0) ^ Math.imul((stream >>> 0) + 1, 0x9e3779b1));
}

type Keys = { kind: 'uniform' } | { kind: 'zipfian'; exponent: number } | { kind: 'hotset'; hotUsers: number; hotShare: number };
type Op = 'write' | 'read' | 'delete';

function createKeyPicker(dist: Keys, users: number, rng: Rng): () => number {
  if (dist.kind === 'uniform') return () => 1 + Math.floor(rng.next() * users);
  if (dist.kind === 'zipfian') {
    const cdf = new Float64Array(users);
    let acc = 0;
    for (let r = 1; r <= users; r++) {
      acc += 1 / Math.pow(r, dist.exponent);
      cdf[r - 1] = acc;
    }
    for (let i = 0; i < users; i++) cdf[i] /= acc;
    cdf[users - 1] = 1;
    const last = users - 1;
    return () => {
      const u = rng.next();
      let lo = 0;
      let hi = last;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if (cdf[mid] > u) hi = mid;
        else lo = mid + 1;
      }
      return lo + 1;
    };
  }
  const hot = Math.min(Math.max(1, Math.floor(dist.hotUsers)), users);
  const cold = users - hot;
  const share = cold === 0 ? 1 : dist.hotShare;
  return () => {
    const u = rng.next();
    if (u < share) return 1 + Math.floor((u / share) * hot);
    const i = Math.floor(((u - share) / (1 - share)) * cold);
    return hot + 1 + (i < cold ? i : cold - 1);
  };
}

function createOpPicker(mix: { write: number; read: number; delete: number }, rng: Rng): () => Op {
  const total = mix.write + mix.read + mix.delete;
  const writeUpTo = mix.write / total;
  const readUpTo = (mix.write + mix.read) / total;
  const hasDelete = mix.delete > 0;
  return () => {
    const u = rng.next();
    if (u < writeUpTo) return 'write';
    if (u < readUpTo || !hasDelete) return mix.read > 0 ? 'read' : 'write';
    return 'delete';
  };
}
`;
