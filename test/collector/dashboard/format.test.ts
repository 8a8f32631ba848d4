import { describe, expect, it } from 'vitest';
import { formatCompact, formatCount, formatDateTime, formatMs, formatPercent, formatTick, formatUsd, formatUsdPrecise } from '../../../src/collector/dashboard/client/format.js';

describe('dashboard formatting', () => {
  it('formats dollars with cents, and small amounts with two significant digits', () => {
    expect(formatUsd(12.345)).toBe('$12.35');
    expect(formatUsd(1234.5)).toBe('$1,234.50');
    expect(formatUsd(0.0042)).toBe('$0.0042');
    expect(formatUsd(0.000031)).toBe('$0.000031');
    expect(formatUsd(0)).toBe('$0.00');
    expect(formatUsd(null)).toBe('—');
  });

  it('formats one call\'s cost to a tenth of a cent', () => {
    expect(formatUsdPrecise(0.125)).toBe('$0.125');
    expect(formatUsdPrecise(1.5)).toBe('$1.50');
    expect(formatUsdPrecise(12.345678)).toBe('$12.3457');
    expect(formatUsdPrecise(0.000031)).toBe('$0.000031');
    expect(formatUsdPrecise(null)).toBe('—');
  });

  it('formats counts with separators and axes compactly', () => {
    expect(formatCount(1234567)).toBe('1,234,567');
    expect(formatCount(null)).toBe('—');
    expect(formatCompact(950)).toBe('950');
    expect(formatCompact(1200)).toBe('1.2k');
    expect(formatCompact(15_000)).toBe('15k');
    expect(formatCompact(2_500_000)).toBe('2.5M');
    expect(formatCompact(0.25)).toBe('0.25');
  });

  it('formats durations in ms, seconds or minutes', () => {
    expect(formatMs(412)).toBe('412 ms');
    expect(formatMs(0.4)).toBe('0.4 ms');
    expect(formatMs(1530)).toBe('1.53 s');
    expect(formatMs(125_000)).toBe('2m 05s');
    expect(formatMs(9_900_000)).toBe('2h 45m');
    expect(formatMs(null)).toBe('—');
  });

  it('formats rates as percentages', () => {
    expect(formatPercent(0.425)).toBe('42.5%');
    expect(formatPercent(1)).toBe('100%');
    expect(formatPercent(null)).toBe('—');
  });

  it('formats times in the given zone, ticks by span', () => {
    const at = Date.UTC(2026, 11, 8, 9, 5, 7);
    expect(formatDateTime(at, 'UTC')).toBe('2026-12-08 09:05:07');
    expect(formatTick(at, 6 * 3_600_000, 'UTC')).toBe('09:05');
    expect(formatTick(at, 7 * 86_400_000, 'UTC')).toBe('Dec 8');
  });
});
