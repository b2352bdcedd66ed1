// A small, fast, seeded PRNG (sfc32, from PractRand) so that every strategy sees the same
// sequence of keys and operations. Math.random cannot be seeded; sfc32 is four 32-bit words of
// state, passes PractRand, and costs a handful of integer operations per draw.

/** splitmix32: spreads a seed (and a stream number) over the state, so nearby seeds diverge. */
function splitmix32(x: number): number {
  x = (x + 0x9e3779b9) | 0;
  let z = x;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
}

export class Rng {
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
    // the first outputs of sfc32 still show the seed; discard them
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

  /** uniform in [0, 1), 32 bits of resolution */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** uniform integer in [0, n) */
  nextInt(n: number): number {
    return Math.floor(this.next() * n);
  }
}

export function createRng(seed: number): Rng {
  return new Rng(seed);
}

/** The seed of stream `stream` (a client number, say) of `seed`: independent, reproducible. */
export function deriveSeed(seed: number, stream: number): number {
  return splitmix32(splitmix32(seed >>> 0) ^ Math.imul((stream >>> 0) + 1, 0x9e3779b1));
}

/** An independent generator for stream `stream` of `seed`, e.g. one per client. */
export function derive(seed: number, stream: number): Rng {
  return new Rng(deriveSeed(seed, stream));
}
