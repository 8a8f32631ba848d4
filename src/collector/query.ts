/**
 * Query-string parsing for the read routes: every parameter checked, unknown or repeated ones refused,
 * each problem reported with the parameter's name (the HTTP layer answers 400).
 * @module
 */
import type { CallOutcome } from '../events/record.js';
import type { ListQuery, RecordFilter, StatsGroupBy, StatsQuery } from './store/types.js';

/** A query parameter that cannot be used: the HTTP layer answers 400 naming it. */
export class QueryParamError extends Error {
  override readonly name = 'QueryParamError';
  /** The parameter at fault. */
  readonly param: string;
  /**
   * @param param The parameter's name.
   * @param message What is wrong with it.
   */
  constructor(param: string, message: string) {
    super(`query parameter '${param}': ${message}`);
    this.param = param;
  }
}

/** Page size of `GET /v1/records` when `limit` is absent. */
export const DEFAULT_LIMIT = 50;
/** The largest page. */
export const MAX_LIMIT = 1000;
/** The most buckets one `GET /v1/stats` may ask for. */
export const MAX_BUCKETS = 1000;
/** `GET /v1/stats` without `from` covers this long before `to`. */
export const DEFAULT_STATS_RANGE_MS = 86_400_000;

const FILTER_PARAMS = ['from', 'to', 'provider', 'model', 'user', 'session', 'tag', 'status', 'outcome', 'cache'] as const;
const OUTCOMES: readonly CallOutcome[] = ['completed', 'failed', 'cancelled', 'errored'];
const CACHE_VALUES = ['hit', 'miss', 'bypass', 'none'] as const;
const GROUPS: readonly StatsGroupBy[] = ['model', 'provider', 'user', 'tag'];
const UNIT_MS: Readonly<Record<string, number>> = { s: 1000, m: 60_000, h: 3_600_000, d: 86_400_000 };
/** Intervals `GET /v1/stats` picks from when none is given: the smallest giving at most 200 buckets. */
const AUTO_INTERVALS_MS = [60_000, 300_000, 900_000, 3_600_000, 21_600_000, 86_400_000, 604_800_000];
const MAX_TEXT_CHARS = 1024;

function single(params: URLSearchParams, allowed: readonly string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (const [key, value] of params) {
    if (!allowed.includes(key)) throw new QueryParamError(key, `unknown parameter; expected one of ${allowed.join(', ')}`);
    if (values.has(key)) throw new QueryParamError(key, 'given more than once');
    if (value.length > MAX_TEXT_CHARS) throw new QueryParamError(key, `longer than ${MAX_TEXT_CHARS} characters`);
    values.set(key, value);
  }
  return values;
}

/**
 * A time: epoch milliseconds, or an ISO 8601 date (`2026-01-31`, `2026-01-31T12:00:00Z`).
 * @param name The parameter, for the error.
 * @param value Its text.
 */
function time(name: string, value: string): number {
  const ms = /^\d{1,16}$/.test(value) ? Number(value) : /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : Number.NaN;
  if (!Number.isFinite(ms)) throw new QueryParamError(name, 'expected epoch milliseconds or an ISO 8601 date');
  return ms;
}

function integer(name: string, value: string, min: number, max: number): number {
  if (!/^\d{1,10}$/.test(value) || Number(value) < min || Number(value) > max) throw new QueryParamError(name, `expected an integer from ${min} to ${max}`);
  return Number(value);
}

function oneOf<T extends string>(name: string, value: string, allowed: readonly T[]): T {
  if (!(allowed as readonly string[]).includes(value)) throw new QueryParamError(name, `expected one of ${allowed.join(', ')}`);
  return value as T;
}

function filter(values: Map<string, string>): RecordFilter {
  const result: RecordFilter = {};
  for (const key of FILTER_PARAMS) {
    const value = values.get(key);
    if (value === undefined) continue;
    switch (key) {
      case 'from':
      case 'to':
        result[key] = time(key, value);
        break;
      case 'status':
        result.status = integer(key, value, 100, 599);
        break;
      case 'outcome':
        result.outcome = oneOf(key, value, OUTCOMES);
        break;
      case 'cache':
        result.cache = oneOf(key, value, CACHE_VALUES);
        break;
      default:
        if (value === '') throw new QueryParamError(key, 'empty');
        result[key] = value;
    }
  }
  if (result.from !== undefined && result.to !== undefined && result.from >= result.to) throw new QueryParamError('from', "must be before 'to'");
  return result;
}

/**
 * Parses `GET /v1/records`'s query.
 * @param params The URL's search parameters.
 * @throws QueryParamError naming the first bad parameter.
 */
export function parseListQuery(params: URLSearchParams): ListQuery {
  const values = single(params, [...FILTER_PARAMS, 'limit', 'cursor']);
  const query: ListQuery = { ...filter(values), limit: DEFAULT_LIMIT };
  const limit = values.get('limit');
  if (limit !== undefined) query.limit = integer('limit', limit, 1, MAX_LIMIT);
  const cursor = values.get('cursor');
  if (cursor !== undefined && cursor !== '') query.cursor = cursor;
  return query;
}

/**
 * Parses an interval: a positive integer and a unit, `s`, `m`, `h` or `d` (`30s`, `5m`, `1h`, `1d`).
 * @param value The text.
 * @returns Milliseconds, or `null` when it is not an interval.
 */
export function parseInterval(value: string): number | null {
  const match = /^(\d{1,6})(s|m|h|d)$/.exec(value);
  if (!match) return null;
  const ms = Number(match[1]) * UNIT_MS[match[2]!]!;
  return ms > 0 ? ms : null;
}

/**
 * Parses `GET /v1/stats`'s query. `to` defaults to `now`, `from` to a day before `to`, `interval` to
 * the smallest of 1m, 5m, 15m, 1h, 6h, 1d, 7d giving at most 200 buckets.
 * @param params The URL's search parameters.
 * @param now The current time, epoch milliseconds.
 * @throws QueryParamError naming the first bad parameter, or `interval` when the range would need more than {@link MAX_BUCKETS} buckets.
 */
export function parseStatsQuery(params: URLSearchParams, now: number): StatsQuery {
  const values = single(params, [...FILTER_PARAMS, 'interval', 'groupBy']);
  const base = filter(values);
  const to = base.to ?? now;
  const from = base.from ?? to - DEFAULT_STATS_RANGE_MS;
  if (from >= to) throw new QueryParamError('from', "must be before 'to'");
  const span = to - from;
  const text = values.get('interval');
  let intervalMs: number;
  if (text === undefined) {
    intervalMs = AUTO_INTERVALS_MS.find((ms) => span / ms <= 200) ?? Math.ceil(span / 200 / 86_400_000) * 86_400_000;
  } else {
    const parsed = parseInterval(text);
    if (parsed === null) throw new QueryParamError('interval', 'expected a positive integer and a unit: s, m, h or d (30s, 5m, 1h, 1d)');
    intervalMs = parsed;
  }
  // Buckets are aligned to multiples of the interval from the epoch: count what the range touches.
  const buckets = Math.floor((to - 1) / intervalMs) - Math.floor(from / intervalMs) + 1;
  if (buckets > MAX_BUCKETS) throw new QueryParamError('interval', `the range would need ${buckets} buckets; the most is ${MAX_BUCKETS}: widen the interval or narrow from/to`);
  const query: StatsQuery = { ...base, from, to, intervalMs };
  const groupBy = values.get('groupBy');
  if (groupBy !== undefined) query.groupBy = oneOf('groupBy', groupBy, GROUPS);
  return query;
}
