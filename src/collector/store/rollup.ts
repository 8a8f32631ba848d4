/**
 * Rollups shared by the storage engines: per-minute and per-hour aggregates, one row per
 * (width, start, dimension, value), maintained in the same transaction as the records they count, so
 * `stats` over a long range reads a few rows instead of every record. A stats query is cut into the
 * coarsest rollup rows that fit it, with the partial minutes at its edges (and any query a rollup cannot
 * answer) computed from the records themselves, the same way, so both paths give the same answer.
 * @module
 */
import type { CallRecord } from '../../events/record.js';
import { addToBucket, bucketOf, emptyHistogram, type Histogram, mergeHistogram, percentiles } from './histogram.js';
import type { RecordFilter, StatsGroupBy, StatsQuery, StatsRow } from './types.js';

/** One minute, in milliseconds. */
export const MINUTE_MS = 60_000;
/** One hour, in milliseconds. */
export const HOUR_MS = 3_600_000;
/** The rollup widths, coarsest first. */
export const ROLLUP_WIDTHS: readonly number[] = [HOUR_MS, MINUTE_MS];

/** What stats need of one record: the columns both engines store beside the record's JSON. */
export interface StatFacts {
  startedAt: number;
  provider: string | null;
  model: string | null;
  requestedModel: string | null;
  user: string | null;
  tags: readonly string[];
  isError: boolean;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  savedUsd: number;
  /** 1 for a cache hit, 0 otherwise. */
  cacheHit: number;
  /** 1 when the cache looked (hit or miss), 0 otherwise. */
  cacheLookup: number;
  isFallback: boolean;
  latencyMs: number;
  ttftMs: number | null;
}

/** The stat facts of a record. */
export function factsOf(record: CallRecord): StatFacts {
  const cacheStatus = record.cache?.status;
  return {
    startedAt: record.startedAt,
    provider: record.provider,
    model: record.model,
    requestedModel: record.requestedModel,
    user: record.user,
    tags: record.tags,
    isError: record.outcome !== 'completed',
    inputTokens: record.usage.inputTokens ?? 0,
    outputTokens: record.usage.outputTokens ?? 0,
    costUsd: record.costUsd ?? 0,
    savedUsd: record.cache?.savedUsd ?? 0,
    cacheHit: cacheStatus === 'hit' ? 1 : 0,
    cacheLookup: cacheStatus === 'hit' || cacheStatus === 'miss' ? 1 : 0,
    isFallback: record.attempts.length > 1,
    latencyMs: record.latencyMs,
    ttftMs: record.ttftMs,
  };
}

/** Additive aggregates of a set of records. */
export interface Aggregate {
  requests: number;
  errors: number;
  inputTokens: number;
  outputTokens: number;
  costUsd: number;
  savedUsd: number;
  cacheHits: number;
  cacheLookups: number;
  fallbacks: number;
  latency: Histogram;
  ttft: Histogram;
}

/** An empty aggregate. */
export function emptyAggregate(): Aggregate {
  return {
    requests: 0,
    errors: 0,
    inputTokens: 0,
    outputTokens: 0,
    costUsd: 0,
    savedUsd: 0,
    cacheHits: 0,
    cacheLookups: 0,
    fallbacks: 0,
    latency: emptyHistogram(),
    ttft: emptyHistogram(),
  };
}

/** Adds one record's facts into an aggregate. */
export function addFacts(target: Aggregate, facts: StatFacts): void {
  target.requests++;
  if (facts.isError) target.errors++;
  target.inputTokens += facts.inputTokens;
  target.outputTokens += facts.outputTokens;
  target.costUsd += facts.costUsd;
  target.savedUsd += facts.savedUsd;
  target.cacheHits += facts.cacheHit;
  target.cacheLookups += facts.cacheLookup;
  if (facts.isFallback) target.fallbacks++;
  addToBucket(target.latency, bucketOf(facts.latencyMs), 1);
  if (facts.ttftMs !== null) addToBucket(target.ttft, bucketOf(facts.ttftMs), 1);
}

/** Adds `source` times `sign` into `target`. */
export function mergeAggregate(target: Aggregate, source: Aggregate, sign = 1): void {
  target.requests += sign * source.requests;
  target.errors += sign * source.errors;
  target.inputTokens += sign * source.inputTokens;
  target.outputTokens += sign * source.outputTokens;
  target.costUsd += sign * source.costUsd;
  target.savedUsd += sign * source.savedUsd;
  target.cacheHits += sign * source.cacheHits;
  target.cacheLookups += sign * source.cacheLookups;
  target.fallbacks += sign * source.fallbacks;
  mergeHistogram(target.latency, source.latency, sign);
  mergeHistogram(target.ttft, source.ttft, sign);
}

/**
 * A rollup dimension: `all` (every record, value `''`), the served `model`, `model_match` (the served and
 * the requested model, for the `model` filter), `provider`, `user`, `tag` (one row per tag).
 */
export type RollupDimension = 'all' | 'provider' | 'model' | 'model_match' | 'user' | 'tag';

/** A rollup row's value: `''` for none (a record without provider...), `'=' + value` otherwise. */
export function dimensionValue(value: string | null): string {
  return value === null ? '' : `=${value}`;
}

/** The group a rollup value stands for. */
export function groupOfValue(value: string): string | null {
  return value === '' ? null : value.slice(1);
}

/** Every (dimension, value) a record counts in. */
function dimensionsOf(facts: StatFacts): [RollupDimension, string][] {
  const pairs: [RollupDimension, string][] = [
    ['all', ''],
    ['provider', dimensionValue(facts.provider)],
    ['model', dimensionValue(facts.model)],
    ['user', dimensionValue(facts.user)],
  ];
  if (facts.model !== null) pairs.push(['model_match', dimensionValue(facts.model)]);
  if (facts.requestedModel !== null && facts.requestedModel !== facts.model) pairs.push(['model_match', dimensionValue(facts.requestedModel)]);
  if (facts.tags.length === 0) pairs.push(['tag', '']);
  else for (const tag of new Set(facts.tags)) pairs.push(['tag', dimensionValue(tag)]);
  return pairs;
}

/** One rollup row's key and aggregate. */
export interface RollupEntry {
  width: number;
  start: number;
  dimension: RollupDimension;
  value: string;
  aggregate: Aggregate;
}

/**
 * The rollup rows a set of records adds to (or, on deletion, takes from), pre-aggregated so a batch
 * touches each row once; sorted by key, so concurrent writers lock rows in one order.
 */
export function rollupDelta(records: Iterable<StatFacts>): RollupEntry[] {
  const entries = new Map<string, RollupEntry>();
  for (const facts of records) {
    for (const width of ROLLUP_WIDTHS) {
      const start = Math.floor(facts.startedAt / width) * width;
      for (const [dimension, value] of dimensionsOf(facts)) {
        const key = `${width}\u0001${start}\u0001${dimension}\u0001${value}`;
        let entry = entries.get(key);
        if (!entry) entries.set(key, (entry = { width, start, dimension, value, aggregate: emptyAggregate() }));
        addFacts(entry.aggregate, facts);
      }
    }
  }
  return [...entries.values()].sort(compareEntries);
}

function compareEntries(left: RollupEntry, right: RollupEntry): number {
  return left.width - right.width || left.start - right.start || compareText(left.dimension, right.dimension) || compareText(left.value, right.value);
}

function compareText(left: string, right: string): number {
  return left < right ? -1 : left > right ? 1 : 0;
}

/** Which rollup rows answer a stats query: a dimension, an optional value, and how rows map to groups. */
export interface RollupChoice {
  dimension: RollupDimension;
  /** Only rows with this value, or every value of the dimension. */
  value: string | null;
  /** Whether the row's value is the group (grouped queries) or the query is ungrouped. */
  isGrouped: boolean;
}

const GROUP_DIMENSION: Record<StatsGroupBy, RollupDimension> = { model: 'model', provider: 'provider', user: 'user', tag: 'tag' };

/** The rollup rows that answer a query's filters and grouping, or `null` when only the records can. */
export function chooseRollup(query: StatsQuery): RollupChoice | null {
  const filters: [RollupDimension, string][] = [];
  if (query.session !== undefined || query.status !== undefined || query.outcome !== undefined || query.cache !== undefined) return null;
  if (query.provider !== undefined) filters.push(['provider', query.provider]);
  if (query.model !== undefined) filters.push(['model_match', query.model]);
  if (query.user !== undefined) filters.push(['user', query.user]);
  if (query.tag !== undefined) filters.push(['tag', query.tag]);
  if (filters.length > 1) return null;
  const [filter] = filters;
  if (query.groupBy === undefined) {
    return filter ? { dimension: filter[0], value: dimensionValue(filter[1]), isGrouped: false } : { dimension: 'all', value: '', isGrouped: false };
  }
  const dimension = GROUP_DIMENSION[query.groupBy];
  if (!filter) return { dimension, value: null, isGrouped: true };
  // Filtering and grouping on the same single-valued dimension: the one group of the filter's value.
  if (filter[0] === dimension && (dimension === 'provider' || dimension === 'user')) return { dimension, value: dimensionValue(filter[1]), isGrouped: true };
  return null;
}

/** A part of a stats query's range: rollup rows of one width, or the records themselves. */
export type Segment = { kind: 'rollup'; width: number; from: number; to: number } | { kind: 'records'; from: number; to: number };

/**
 * Cuts `[from, to)` into rollup rows of the coarsest width that fits (each width must divide the bucket
 * width, so no rollup row straddles two buckets), finer widths at the edges, and records at the very edges.
 */
export function planSegments(from: number, to: number, intervalMs: number): Segment[] {
  const widths = ROLLUP_WIDTHS.filter((width) => intervalMs % width === 0);
  const segments: Segment[] = [];
  const cover = (start: number, end: number, level: number): void => {
    if (start >= end) return;
    const width = widths[level];
    if (width === undefined) {
      segments.push({ kind: 'records', from: start, to: end });
      return;
    }
    const first = Math.ceil(start / width) * width;
    const last = Math.floor(end / width) * width;
    if (first >= last) {
      cover(start, end, level + 1);
      return;
    }
    cover(start, first, level + 1);
    segments.push({ kind: 'rollup', width, from: first, to: last });
    cover(last, end, level + 1);
  };
  cover(from, to, 0);
  return segments;
}

/** Aggregates keyed by bucket and group, filled from rollup rows and records, then turned into rows. */
export class StatsAccumulator {
  readonly #cells = new Map<string, { bucket: number; group: string | null; aggregate: Aggregate }>();
  readonly #intervalMs: number;
  readonly #isGrouped: boolean;

  /**
   * @param intervalMs - The bucket width.
   * @param isGrouped - Whether rows carry a group.
   */
  constructor(intervalMs: number, isGrouped: boolean) {
    this.#intervalMs = intervalMs;
    this.#isGrouped = isGrouped;
  }

  /** The aggregate of the bucket holding `time` and the group `group`. */
  cell(time: number, group: string | null): Aggregate {
    const bucket = Math.floor(time / this.#intervalMs) * this.#intervalMs;
    const key = `${bucket}\u0001${group === null ? '' : `=${group}`}`;
    let cell = this.#cells.get(key);
    if (!cell) this.#cells.set(key, (cell = { bucket, group, aggregate: emptyAggregate() }));
    return cell.aggregate;
  }

  /** Adds a record's facts, under each group it belongs to. */
  addRecord(facts: StatFacts, groupBy: StatsGroupBy | undefined): void {
    if (groupBy === undefined) addFacts(this.cell(facts.startedAt, null), facts);
    else if (groupBy === 'tag') {
      if (facts.tags.length === 0) addFacts(this.cell(facts.startedAt, null), facts);
      else for (const tag of new Set(facts.tags)) addFacts(this.cell(facts.startedAt, tag), facts);
    } else {
      const group = groupBy === 'model' ? facts.model : groupBy === 'provider' ? facts.provider : facts.user;
      addFacts(this.cell(facts.startedAt, group), facts);
    }
  }

  /** The rows, ordered by bucket then group (`null` first). */
  rows(): StatsRow[] {
    const cells = [...this.#cells.values()].filter((cell) => cell.aggregate.requests > 0);
    cells.sort((left, right) => left.bucket - right.bucket || compareGroups(left.group, right.group));
    return cells.map(({ bucket, group, aggregate }) => {
      const row: StatsRow = {
        bucket,
        requests: aggregate.requests,
        errors: aggregate.errors,
        inputTokens: aggregate.inputTokens,
        outputTokens: aggregate.outputTokens,
        costUsd: roundUsd(aggregate.costUsd),
        savedUsd: roundUsd(aggregate.savedUsd),
        cacheHitRate: aggregate.cacheLookups > 0 ? aggregate.cacheHits / aggregate.cacheLookups : null,
        fallbacks: aggregate.fallbacks,
        latencyMs: percentiles(aggregate.latency),
        ttftMs: percentiles(aggregate.ttft),
      };
      if (this.#isGrouped) row.group = group;
      return row;
    });
  }
}

function compareGroups(left: string | null, right: string | null): number {
  if (left === right) return 0;
  if (left === null) return -1;
  if (right === null) return 1;
  return compareText(left, right);
}

/** Sums of many float costs drift in the last digits: 12 decimals are far below a billed cent. */
function roundUsd(value: number): number {
  return Math.round(value * 1e12) / 1e12;
}

/** Validates a stats query's range and interval. */
export function checkStatsQuery(query: StatsQuery): void {
  if (!Number.isFinite(query.from) || !Number.isFinite(query.to)) throw new RangeError('stats: from and to must be finite epoch milliseconds');
  if (!Number.isInteger(query.intervalMs) || query.intervalMs <= 0) throw new RangeError(`stats: intervalMs must be a positive integer, got ${query.intervalMs}`);
}

/** The filter fields that are set, for the engines' WHERE builders. */
export function hasAnyFilter(filter: RecordFilter): boolean {
  return (
    filter.provider !== undefined ||
    filter.model !== undefined ||
    filter.user !== undefined ||
    filter.session !== undefined ||
    filter.tag !== undefined ||
    filter.status !== undefined ||
    filter.outcome !== undefined ||
    filter.cache !== undefined
  );
}
