/**
 * Totals, filled time series and top-N rankings from `GET /v1/stats` rows. Pure.
 * @module
 */
import type { StatsRow } from '../../store/types.js';

/** The additive figures of a set of buckets. */
export interface Totals {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  savedUsd: number;
  fallbacks: number;
}

/**
 * Sums the additive fields of rows (percentiles and rates do not add; ask the store for one bucket instead).
 * @param rows Stats rows.
 */
export function sumRows(rows: readonly StatsRow[]): Totals {
  const total: Totals = { requests: 0, errors: 0, inputTokens: 0, outputTokens: 0, costUsd: 0, savedUsd: 0, fallbacks: 0 };
  for (const row of rows) {
    total.requests += row.requests;
    total.errors += row.errors;
    total.inputTokens += row.inputTokens;
    total.outputTokens += row.outputTokens;
    total.costUsd += row.costUsd;
    total.savedUsd += row.savedUsd;
    total.fallbacks += row.fallbacks;
  }
  return total;
}

const EMPTY_PERCENTILES = { p50: null, p95: null, p99: null };

/** The most buckets a series is drawn with (a bound on a window the user chose). */
export const MAX_BUCKETS = 2000;

/**
 * One row per bucket of the window, in order: the store's row where it has one, zeros where it has none.
 * @param rows Ungrouped stats rows.
 * @param from Window start, epoch ms (aligned down to the interval).
 * @param to Window end (exclusive), epoch ms.
 * @param intervalMs Bucket width.
 */
export function fillSeries(rows: readonly StatsRow[], from: number, to: number, intervalMs: number): StatsRow[] {
  const byBucket = new Map(rows.map((row) => [row.bucket, row]));
  const series: StatsRow[] = [];
  for (let bucket = Math.floor(from / intervalMs) * intervalMs; bucket < to && series.length < MAX_BUCKETS; bucket += intervalMs) {
    series.push(
      byBucket.get(bucket) ?? {
        bucket,
        requests: 0,
        errors: 0,
        inputTokens: 0,
        outputTokens: 0,
        costUsd: 0,
        savedUsd: 0,
        cacheHitRate: null,
        fallbacks: 0,
        latencyMs: EMPTY_PERCENTILES,
        ttftMs: EMPTY_PERCENTILES,
      },
    );
  }
  return series;
}

/** One group's share of the window. */
export interface GroupTotal {
  /** The group's value; `(none)` for records without one. */
  group: string;
  costUsd: number;
  requests: number;
}

/**
 * The groups with the highest cost over all buckets (ties by requests, then name).
 * @param rows Grouped stats rows.
 * @param count How many to keep.
 */
export function topGroups(rows: readonly StatsRow[], count: number): GroupTotal[] {
  const groups = new Map<string, GroupTotal>();
  for (const row of rows) {
    const name = row.group ?? '(none)';
    const entry = groups.get(name) ?? { group: name, costUsd: 0, requests: 0 };
    entry.costUsd += row.costUsd;
    entry.requests += row.requests;
    groups.set(name, entry);
  }
  return [...groups.values()].sort((a, b) => b.costUsd - a.costUsd || b.requests - a.requests || a.group.localeCompare(b.group)).slice(0, count);
}
