/**
 * What the SQLite and PostgreSQL engines share: the columns a record is stored with, the WHERE clause of
 * the query filters (always with bound parameters), and the list cursor.
 * @module
 */
import type { CallRecord } from '../../events/record.js';
import type { StatFacts } from './rollup.js';
import type { ListQuery, RecordFilter } from './types.js';

/** The largest page {@link ListQuery.limit} may ask for. */
export const MAX_PAGE = 1000;
/** The default {@link CollectorStore.session} limit. */
export const DEFAULT_SESSION_LIMIT = 1000;

/** 10000-01-01: the first start a store refuses. */
const LATEST_START = 253_402_300_800_000;

/** The columns of the records table that filters and stats read; `body` holds the whole record as JSON. */
export interface RecordColumns {
  id: string;
  started_at: number;
  provider: string | null;
  model: string | null;
  requested_model: string | null;
  end_user: string | null;
  session: string | null;
  status: number | null;
  outcome: string;
  cache: string;
  tags: string[];
  input_tokens: number | null;
  output_tokens: number | null;
  cost_usd: number | null;
  saved_usd: number | null;
  attempts: number;
  latency_ms: number;
  ttft_ms: number | null;
  body: string;
}

/** The stored columns of a record; throws a `TypeError` for a record without a usable id or start. */
export function columnsOf(record: CallRecord): RecordColumns {
  if (typeof record.id !== 'string' || record.id === '') throw new TypeError('record.id: expected a non-empty string');
  if (!(record.startedAt >= 0 && record.startedAt < LATEST_START)) throw new TypeError(`record ${record.id}: startedAt must be epoch milliseconds between 1970 and 9999`);
  return {
    id: record.id,
    started_at: Math.trunc(record.startedAt),
    provider: record.provider ?? null,
    model: record.model ?? null,
    requested_model: record.requestedModel ?? null,
    end_user: record.user ?? null,
    session: record.session ?? null,
    status: record.status ?? null,
    outcome: record.outcome,
    cache: record.cache?.status ?? 'none',
    tags: record.tags ?? [],
    input_tokens: record.usage?.inputTokens ?? null,
    output_tokens: record.usage?.outputTokens ?? null,
    cost_usd: record.costUsd ?? null,
    saved_usd: record.cache?.savedUsd ?? null,
    attempts: record.attempts?.length ?? 0,
    latency_ms: Number.isFinite(record.latencyMs) ? record.latencyMs : 0,
    ttft_ms: record.ttftMs ?? null,
    body: JSON.stringify(record),
  };
}

/** The columns stats read from a record row, in this order. */
export const FACT_COLUMNS =
  'started_at, provider, model, requested_model, end_user, tags, outcome, cache, input_tokens, output_tokens, cost_usd, saved_usd, attempts, latency_ms, ttft_ms';

/** A row of {@link FACT_COLUMNS} as a driver returns it (`tags` as JSON text or as an array). */
export interface FactRow {
  started_at: number | string;
  provider: string | null;
  model: string | null;
  requested_model: string | null;
  end_user: string | null;
  tags: string | string[];
  outcome: string;
  cache: string;
  input_tokens: number | string | null;
  output_tokens: number | string | null;
  cost_usd: number | null;
  saved_usd: number | null;
  attempts: number;
  latency_ms: number;
  ttft_ms: number | null;
}

/** The stat facts of a stored row. */
export function factsOfRow(row: FactRow): StatFacts {
  return {
    startedAt: Number(row.started_at),
    provider: row.provider,
    model: row.model,
    requestedModel: row.requested_model,
    user: row.end_user,
    tags: typeof row.tags === 'string' ? (JSON.parse(row.tags) as string[]) : row.tags,
    isError: row.outcome !== 'completed',
    inputTokens: Number(row.input_tokens ?? 0),
    outputTokens: Number(row.output_tokens ?? 0),
    costUsd: row.cost_usd ?? 0,
    savedUsd: row.saved_usd ?? 0,
    cacheHit: row.cache === 'hit' ? 1 : 0,
    cacheLookup: row.cache === 'hit' || row.cache === 'miss' ? 1 : 0,
    isFallback: row.attempts > 1,
    latencyMs: row.latency_ms,
    ttftMs: row.ttft_ms,
  };
}

/**
 * The WHERE conditions of a filter. `bind` adds a parameter and answers its placeholder; `tagCondition`
 * renders the engine's tag test for a placeholder. Values are never put in the SQL text.
 */
export function filterConditions(filter: RecordFilter, bind: (value: string | number) => string, tagCondition: (placeholder: string) => string): string[] {
  const conditions: string[] = [];
  if (filter.from !== undefined) conditions.push(`started_at >= ${bind(Math.ceil(filter.from))}`);
  if (filter.to !== undefined) conditions.push(`started_at < ${bind(Math.ceil(filter.to))}`);
  if (filter.provider !== undefined) conditions.push(`provider = ${bind(filter.provider)}`);
  if (filter.model !== undefined) {
    // Bound twice: SQLite's positional parameters cannot be reused.
    conditions.push(`(model = ${bind(filter.model)} OR requested_model = ${bind(filter.model)})`);
  }
  if (filter.user !== undefined) conditions.push(`end_user = ${bind(filter.user)}`);
  if (filter.session !== undefined) conditions.push(`session = ${bind(filter.session)}`);
  if (filter.tag !== undefined) conditions.push(tagCondition(bind(filter.tag)));
  if (filter.status !== undefined) conditions.push(`status = ${bind(filter.status)}`);
  if (filter.outcome !== undefined) conditions.push(`outcome = ${bind(filter.outcome)}`);
  if (filter.cache !== undefined) conditions.push(`cache = ${bind(filter.cache)}`);
  return conditions;
}

/** A decoded list cursor: the last record of the previous page. */
export interface CursorPosition {
  startedAt: number;
  id: string;
}

/** The opaque cursor after a record. */
export function encodeCursor(position: CursorPosition): string {
  return Buffer.from(JSON.stringify([position.startedAt, position.id]), 'utf8').toString('base64url');
}

/** Decodes a cursor; throws a `RangeError` naming `cursor` for one this store did not make. */
export function decodeCursor(cursor: string): CursorPosition {
  let parsed: unknown;
  try {
    parsed = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    parsed = null;
  }
  if (!Array.isArray(parsed) || parsed.length !== 2 || !Number.isSafeInteger(parsed[0]) || typeof parsed[1] !== 'string') {
    throw new RangeError('cursor: not a cursor this collector returned');
  }
  return { startedAt: parsed[0] as number, id: parsed[1] };
}

/** A page size within 1 and {@link MAX_PAGE}. */
export function pageSize(query: ListQuery): number {
  const limit = Math.trunc(query.limit);
  return Number.isFinite(limit) ? Math.min(MAX_PAGE, Math.max(1, limit)) : 50;
}
