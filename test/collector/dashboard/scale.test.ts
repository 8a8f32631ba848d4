import { describe, expect, it } from 'vitest';
import { areaPath, linePath, linearScale, niceTicks, timeTicks } from '../../../src/collector/dashboard/client/scale.js';

describe('chart scales', () => {
  it('rounds the top of a value axis up to a nice number with evenly spaced ticks', () => {
    expect(niceTicks(0, 87, 5)).toEqual([0, 20, 40, 60, 80, 100]);
    expect(niceTicks(0, 0.0042, 5)).toEqual([0, 0.001, 0.002, 0.003, 0.004, 0.005]);
    expect(niceTicks(0, 1, 5)).toEqual([0, 0.2, 0.4, 0.6, 0.8, 1]);
  });

  it('gives an axis to an empty or flat series', () => {
    expect(niceTicks(0, 0, 5)).toEqual([0, 1]);
  });

  it('maps a domain onto a range linearly, inverted axes included', () => {
    const y = linearScale([0, 100], [200, 0]);
    expect(y(0)).toBe(200);
    expect(y(25)).toBe(150);
    expect(y(100)).toBe(0);
    expect(linearScale([5, 5], [0, 10])(5)).toBe(0);
  });

  it('places time ticks on round steps inside the range', () => {
    const from = Date.UTC(2026, 0, 1, 0, 7);
    const to = from + 6 * 3_600_000;
    const ticks = timeTicks(from, to, 6);
    expect(ticks).toEqual([1, 2, 3, 4, 5, 6].map((hour) => Date.UTC(2026, 0, 1, hour)));
  });

  it('draws lines that break at missing values, and closed areas over a baseline', () => {
    expect(linePath([[0, 10], [5, 20.25], [10, null], [15, 5]])).toBe('M0,10L5,20.3M15,5');
    expect(areaPath([[0, 10], [10, 20]], 100)).toBe('M0,100L0,10L10,20L10,100Z');
    expect(areaPath([], 100)).toBe('');
  });
});
