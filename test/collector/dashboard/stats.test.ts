import { describe, expect, it } from 'vitest';
import type { StatsRow } from '../../../src/collector/store/types.js';
import { fillSeries, sumRows, topGroups } from '../../../src/collector/dashboard/client/stats.js';

const row = (bucket: number, fields: Partial<StatsRow> = {}): StatsRow => ({
  bucket,
  requests: 1,
  errors: 0,
  inputTokens: 10,
  outputTokens: 20,
  costUsd: 0.5,
  savedUsd: 0,
  cacheHitRate: null,
  fallbacks: 0,
  latencyMs: { p50: 100, p95: 200, p99: 300 },
  ttftMs: { p50: null, p95: null, p99: null },
  ...fields,
});

describe('dashboard stats', () => {
  it('sums buckets into totals', () => {
    const total = sumRows([row(0), row(60_000, { requests: 3, errors: 2, costUsd: 0.25, savedUsd: 0.1, fallbacks: 1 })]);
    expect(total).toEqual({ requests: 4, errors: 2, inputTokens: 20, outputTokens: 40, costUsd: 0.75, savedUsd: 0.1, fallbacks: 1 });
  });

  it('fills every bucket of the window, empty ones with zeros and no percentiles', () => {
    const series = fillSeries([row(120_000, { requests: 7 })], 60_000, 240_000, 60_000);
    expect(series.map((point) => point.bucket)).toEqual([60_000, 120_000, 180_000]);
    expect(series.map((point) => point.requests)).toEqual([0, 7, 0]);
    expect(series[0]!.latencyMs.p95).toBeNull();
  });

  it('aligns the first bucket down to the interval', () => {
    expect(fillSeries([], 90_000, 200_000, 60_000).map((point) => point.bucket)).toEqual([60_000, 120_000, 180_000]);
  });

  it('ranks groups by cost over every bucket, naming the group-less', () => {
    const rows = [row(0, { group: 'a', costUsd: 1 }), row(0, { group: 'b', costUsd: 3 }), row(60_000, { group: 'a', costUsd: 2.5 }), row(0, { group: null, costUsd: 0.1 })];
    expect(topGroups(rows, 2)).toEqual([
      { group: 'a', costUsd: 3.5, requests: 2 },
      { group: 'b', costUsd: 3, requests: 1 },
    ]);
    expect(topGroups(rows, 5).at(-1)).toEqual({ group: '(none)', costUsd: 0.1, requests: 1 });
  });
});
