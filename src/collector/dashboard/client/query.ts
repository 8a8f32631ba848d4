/**
 * The dashboard's routes (the location hash) and the query strings it sends to the collector. Pure.
 * @module
 */

/** The dashboard's pages. */
export type Page = 'overview' | 'log' | 'record' | 'session' | 'tail';

/** Where the dashboard is: a page, the id it shows (record, session), and its parameters. */
export interface Route {
  page: Page;
  id: string | null;
  params: Record<string, string>;
}

/** Filters the request log offers, in the order they are sent. */
export const FILTER_KEYS = ['provider', 'model', 'user', 'session', 'tag', 'status', 'outcome', 'cache'] as const;

const PATHS: Readonly<Record<string, Page>> = { '': 'overview', overview: 'overview', log: 'log', tail: 'tail', records: 'record', sessions: 'session' };

/**
 * Reads a route from a location hash such as `#/log?model=gpt-4o` or `#/records/<id>`; anything else is the overview.
 * @param hash `location.hash`.
 */
export function parseRoute(hash: string): Route {
  const text = hash.replace(/^#\/?/, '');
  const questionMark = text.indexOf('?');
  const path = questionMark === -1 ? text : text.slice(0, questionMark);
  const params: Record<string, string> = {};
  if (questionMark !== -1) for (const [key, value] of new URLSearchParams(text.slice(questionMark + 1))) params[key] = value;
  const slash = path.indexOf('/');
  const head = slash === -1 ? path : path.slice(0, slash);
  const page = PATHS[head];
  if (page === undefined) return { page: 'overview', id: null, params: {} };
  if (page === 'record' || page === 'session') {
    const id = slash === -1 ? '' : safeDecode(path.slice(slash + 1));
    return id ? { page, id, params } : { page: 'overview', id: null, params: {} };
  }
  return { page, id: null, params };
}

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return '';
  }
}

/**
 * Writes a route as a location hash; empty parameters are left out.
 * @param route The route.
 */
export function routeHash(route: Route): string {
  const head = route.page === 'record' ? 'records' : route.page === 'session' ? 'sessions' : route.page;
  const path = route.id === null ? head : `${head}/${encodeURIComponent(route.id)}`;
  const query = new URLSearchParams(Object.entries(route.params).filter(([, value]) => value !== '')).toString();
  return `#/${path}${query ? `?${query}` : ''}`;
}

/** A time window of `GET /v1/records` and `GET /v1/stats`: `from` inclusive, `to` exclusive, epoch ms. */
export interface TimeWindow {
  from: number;
  to: number;
}

/**
 * The query string of `GET /v1/records`: the window, the known non-empty filters, the page size and the cursor.
 * @param filters Filter values by name; unknown names and empty values are ignored.
 * @param window The time window, or `null` for all time.
 * @param cursor The previous page's `nextCursor`.
 * @param limit The page size.
 */
export function recordsQuery(filters: Readonly<Record<string, string | undefined>>, window: TimeWindow | null, cursor: string | null, limit: number): string {
  const query = new URLSearchParams();
  if (window !== null) {
    query.set('from', String(window.from));
    query.set('to', String(window.to));
  }
  for (const key of FILTER_KEYS) {
    const value = filters[key]?.trim();
    if (value) query.set(key, value);
  }
  query.set('limit', String(limit));
  if (cursor) query.set('cursor', cursor);
  return query.toString();
}

/** The time ranges the picker offers. */
export const RANGE_PRESETS = ['1h', '6h', '24h', '7d', '30d'] as const;
/** One of {@link RANGE_PRESETS}. */
export type RangePreset = (typeof RANGE_PRESETS)[number];

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const PRESETS: Readonly<Record<RangePreset, { spanMs: number; intervalMs: number }>> = {
  '1h': { spanMs: HOUR, intervalMs: 2 * MINUTE },
  '6h': { spanMs: 6 * HOUR, intervalMs: 10 * MINUTE },
  '24h': { spanMs: DAY, intervalMs: 30 * MINUTE },
  '7d': { spanMs: 7 * DAY, intervalMs: 6 * HOUR },
  '30d': { spanMs: 30 * DAY, intervalMs: DAY },
};

/**
 * The window of a preset in whole buckets (24 to 72 of them), the last one holding `now`, so every bar
 * of a chart covers a full bucket.
 * @param preset The range.
 * @param now The current time, epoch ms.
 */
export function rangeWindow(preset: RangePreset, now: number): TimeWindow & { intervalMs: number } {
  const { spanMs, intervalMs } = PRESETS[preset];
  const to = Math.floor(now / intervalMs) * intervalMs + intervalMs;
  return { from: to - spanMs, to, intervalMs };
}

/**
 * Spells an interval for `GET /v1/stats?interval=`: `30m`, `1h`, `1d`, or milliseconds.
 * @param ms The interval.
 */
export function formatInterval(ms: number): string {
  for (const [unit, size] of [['d', DAY], ['h', HOUR], ['m', MINUTE], ['s', 1000]] as const) {
    if (ms % size === 0) return `${ms / size}${unit}`;
  }
  return `${ms}ms`;
}

/**
 * A small interval (whole minutes doubling from the range's width, whole days from a day up) whose single bucket holds
 * all of `[from, to)`: the stats of that one bucket are the range's own (exact percentiles and hit rate).
 * @param from Start, epoch ms.
 * @param to End (exclusive), epoch ms.
 */
export function singleBucketInterval(from: number, to: number): number {
  let interval = Math.max(MINUTE, Math.ceil((to - from) / MINUTE) * MINUTE);
  // Bounded: once the interval exceeds `to`, both ends fall in bucket 0. From a day up, whole days, so the
  // interval stays short to spell (the collector takes at most six digits and a unit).
  for (let index = 0; index < 64 && Math.floor(from / interval) !== Math.floor((to - 1) / interval); index++) {
    interval *= 2;
    if (interval > DAY) interval = Math.ceil(interval / DAY) * DAY;
  }
  return interval;
}
