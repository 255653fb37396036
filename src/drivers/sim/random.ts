/**
 * The seed of one named stream of `seed` (FNV-1a of the name, mixed with the seed by murmur3's
 * finaliser). Each consumer draws from its own stream, so how often one of them draws never shifts
 * what another gets: the world's future does not depend on how often the drivers sample it.
 */
export function streamSeed(seed: number, stream: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < stream.length; i++) h = Math.imul(h ^ stream.charCodeAt(i), 0x01000193);
  h = (h ^ Math.imul(seed >>> 0, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  return (h ^ (h >>> 16)) >>> 0;
}

/** A small seeded PRNG (mulberry32): the same seed gives the same sequence on every machine. */
export class SeededRandom {
  private state: number;

  constructor(seed: number) {
    this.state = seed >>> 0 || 0x9e3779b9;
  }

  /** The named stream of `seed` (see `streamSeed`). */
  static stream(seed: number, name: string): SeededRandom {
    return new SeededRandom(streamSeed(seed, name));
  }

  /** Uniform in [0, 1). */
  next(): number {
    this.state = (this.state + 0x6d2b79f5) >>> 0;
    let t = this.state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  }

  /** Approximately normal noise with the given standard deviation. */
  noise(sd: number): number {
    return (this.next() + this.next() + this.next() - 1.5) * 2 * sd;
  }

  /** Number of events in one step of a Poisson process with mean `rate`. */
  poisson(rate: number): number {
    if (rate <= 0) return 0;
    const limit = Math.exp(-rate);
    let k = 0;
    let p = this.next();
    while (p > limit && k < 1000) {
      k++;
      p *= this.next();
    }
    return k;
  }
}
