import { describe, expect, it } from 'vitest';
import { PeakEwma } from '../../src/core/latency.js';

/** A seeded source of numbers in [0, 1) (mulberry32), so simulations are repeatable. */
function seeded(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** A random source that replays fixed values. */
function replay(...values: number[]): () => number {
  let index = 0;
  return () => values[index++ % values.length]!;
}

const none: ReadonlyMap<string, number> = new Map();

describe('PeakEwma math', () => {
  it('starts at the first sample and jumps to a higher one at once (the peak)', () => {
    const latency = new PeakEwma({ decayMs: 10_000 });
    latency.observe('a', 100, 0);
    expect(latency.estimate('a', 0)).toBe(100);
    latency.observe('a', 300, 1); // higher: no averaging
    expect(latency.estimate('a', 1)).toBe(300);
  });

  it('moves toward a lower sample with the weight exp(-elapsed / decay)', () => {
    const latency = new PeakEwma({ decayMs: 10_000 });
    latency.observe('a', 300, 0);
    latency.observe('a', 100, 10_000);
    // w = e^-1 ≈ 0.367879; 300·w + 100·(1 − w) = 100 + 200·e^-1 ≈ 173.5759
    expect(latency.estimate('a', 10_000)).toBeCloseTo(173.5759, 3);
    // Right after a sample the old value keeps almost all its weight: w = e^-0.0001 ≈ 0.9999.
    latency.observe('a', 0, 10_001);
    expect(latency.estimate('a', 10_001)).toBeCloseTo(173.5759 * Math.exp(-0.0001), 3); // ≈ 173.5585
  });

  it('decays an idle estimate toward zero when read', () => {
    const latency = new PeakEwma({ decayMs: 10_000 });
    latency.observe('a', 1000, 0);
    // 1000·e^-1 ≈ 367.879 after 10 s, 1000·e^-3 ≈ 49.787 after 30 s.
    expect(latency.estimate('a', 10_000)).toBeCloseTo(367.879, 2);
    expect(latency.estimate('a', 30_000)).toBeCloseTo(49.787, 2);
    // Reading does not change the stored value: a later sample still averages against 1000.
    latency.observe('a', 100, 10_000);
    // 1000·e^-1 + 100·(1 − e^-1) ≈ 367.879 + 63.212 = 431.091
    expect(latency.estimate('a', 10_000)).toBeCloseTo(431.091, 2);
  });

  it('ignores negative and non-finite samples, and a clock that goes backwards does not inflate decay', () => {
    const latency = new PeakEwma();
    latency.observe('a', -5, 0);
    latency.observe('a', Number.NaN, 0);
    latency.observe('a', Number.POSITIVE_INFINITY, 0);
    expect(latency.estimate('a', 0)).toBeNull();
    latency.observe('a', 200, 1000);
    latency.observe('a', 100, 500); // elapsed clamps to 0: weight 1, the estimate stays
    expect(latency.estimate('a', 1000)).toBe(200);
  });

  it('rejects a non-positive decayMs', () => {
    expect(() => new PeakEwma({ decayMs: 0 })).toThrow(/decayMs/);
  });
});

describe('PeakEwma.cost', () => {
  it('is the estimate times (in flight + 1)', () => {
    const latency = new PeakEwma();
    latency.observe('a', 200, 0);
    expect(latency.cost('a', 0, 0)).toBe(200);
    expect(latency.cost('a', 2, 0)).toBe(600);
  });

  it('is 0 for an unobserved target with nothing in flight, and above any observed one while a call is out', () => {
    const latency = new PeakEwma();
    latency.observe('slow', 60_000, 0);
    expect(latency.cost('new', 0, 0)).toBe(0);
    expect(latency.cost('new', 1, 0)).toBeGreaterThan(latency.cost('slow', 5, 0));
    expect(latency.cost('new', 2, 0)).toBeGreaterThan(latency.cost('new', 1, 0));
  });
});

describe('PeakEwma.order (power of two choices)', () => {
  const targets = [{ key: 'a' }, { key: 'b' }, { key: 'c' }];

  it('puts the cheaper of the two picks first, then the rest by cost', () => {
    const latency = new PeakEwma();
    latency.observe('a', 300, 0);
    latency.observe('b', 100, 0);
    latency.observe('c', 200, 0);
    // Picks index 0 (a) then index 0 of the remaining two, shifted past a: b. b is cheaper.
    expect(latency.order(targets, none, replay(0, 0), 0).map((t) => t.key)).toEqual(['b', 'c', 'a']);
    // Picks a and c: c is cheaper, then b (100) before a (300).
    expect(latency.order(targets, none, replay(0, 0.99), 0).map((t) => t.key)).toEqual(['c', 'b', 'a']);
  });

  it('counts calls in flight', () => {
    const latency = new PeakEwma();
    latency.observe('a', 100, 0);
    latency.observe('b', 150, 0);
    // a: 100 × 2 = 200 > b: 150 × 1.
    expect(latency.order(targets.slice(0, 2), new Map([['a', 1]]), replay(0, 0), 0).map((t) => t.key)).toEqual(['b', 'a']);
  });

  it('keeps the first pick on a tie and the listed order among the rest', () => {
    const latency = new PeakEwma();
    // All unobserved, all cost 0: picks c (0.9 × 3 → 2) then a (0 → 0).
    expect(latency.order(targets, none, replay(0.9, 0), 0).map((t) => t.key)).toEqual(['c', 'a', 'b']);
  });

  it('returns a copy for fewer than two targets and tolerates a source returning 1', () => {
    const latency = new PeakEwma();
    const one = [{ key: 'a' }];
    expect(latency.order(one, none, replay(0), 0)).toEqual(one);
    expect(latency.order(one, none, replay(0), 0)).not.toBe(one);
    expect(latency.order(targets, none, replay(1, 1), 0)).toHaveLength(3);
  });

  it('moves traffic away from a slow target, and back once it recovers and its estimate decays', () => {
    const latency = new PeakEwma({ decayMs: 10_000 });
    const random = seeded(42);
    const slowMs = { value: 2000 };
    const latencyOf = (key: string): number => (key === 'c' ? slowMs.value : 100) * (0.8 + 0.4 * random());
    let nowMs = 0;
    const run = (picks: number, stepMs: number): Record<string, number> => {
      const counts: Record<string, number> = { a: 0, b: 0, c: 0 };
      for (let pick = 0; pick < picks; pick++) {
        const first = latency.order(targets, none, random, nowMs)[0]!.key;
        counts[first]!++;
        latency.observe(first, latencyOf(first), nowMs);
        nowMs += stepMs;
      }
      return counts;
    };

    // Warm up: every target gets tried while unobserved, then the slow one drops away.
    const slow = run(1000, 10);
    expect(slow.c).toBeLessThan(50); // a fair share would be ~333
    expect(slow.a! + slow.b!).toBeGreaterThan(950);

    // c recovers. Its 2 s peak decays while idle (2000 · e^-t/10s < ~100 after ~30 s), so it gets
    // picked again, its fast samples pull the estimate down, and it takes its share back.
    slowMs.value = 100;
    run(1000, 60);
    const recovered = run(1000, 60);
    expect(recovered.c).toBeGreaterThan(250);
  });
});
