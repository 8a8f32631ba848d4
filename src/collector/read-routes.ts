/**
 * The query API: `GET /v1/records`, `/v1/records/:id`, `/v1/stats`, `/v1/sessions/:id`, `/v1/tail`,
 * and the erasure route `DELETE /v1/users/:user/records`. The caller has checked the key.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import { sendError, sendJson } from './http.js';
import { parseListQuery, parseStatsQuery, QueryParamError } from './query.js';
import type { CollectorStore } from './store/types.js';
import type { TailHub } from './tail.js';

/** What the read routes need from the server. */
export interface ReadContext {
  store: CollectorStore;
  tail: TailHub;
  now: () => number;
  log: (entry: { level: 'info' | 'warn'; message: string; [field: string]: unknown }) => void;
}

/** Session pages are capped at this many records. */
export const MAX_SESSION_RECORDS = 1000;

function badParam(response: ServerResponse, error: QueryParamError): void {
  sendError(response, 400, 'invalid_query', error.message, { param: error.param });
}

function onlyParams(response: ServerResponse, params: URLSearchParams, allowed: readonly string[]): boolean {
  for (const key of params.keys()) {
    if (!allowed.includes(key)) {
      badParam(response, new QueryParamError(key, allowed.length === 0 ? 'this route takes no parameter' : `unknown parameter; expected ${allowed.join(', ')}`));
      return false;
    }
  }
  return true;
}

/** `GET /v1/records`. */
export async function listRecords(context: ReadContext, response: ServerResponse, params: URLSearchParams): Promise<void> {
  let query;
  try {
    query = parseListQuery(params);
  } catch (error) {
    if (error instanceof QueryParamError) return badParam(response, error);
    throw error;
  }
  sendJson(response, 200, await context.store.list(query));
}

/** `GET /v1/records/:id`. */
export async function getRecord(context: ReadContext, response: ServerResponse, params: URLSearchParams, id: string): Promise<void> {
  if (!onlyParams(response, params, [])) return;
  const record = await context.store.get(id);
  if (record === null) return sendError(response, 404, 'not_found', 'no record has this id');
  sendJson(response, 200, record);
}

/** `GET /v1/stats`. */
export async function stats(context: ReadContext, response: ServerResponse, params: URLSearchParams): Promise<void> {
  let query;
  try {
    query = parseStatsQuery(params, context.now());
  } catch (error) {
    if (error instanceof QueryParamError) return badParam(response, error);
    throw error;
  }
  const result = await context.store.stats(query);
  sendJson(response, 200, { from: query.from, to: query.to, groupBy: query.groupBy ?? null, ...result });
}

/** `GET /v1/sessions/:id`: the session's calls, oldest first. */
export async function session(context: ReadContext, response: ServerResponse, params: URLSearchParams, id: string): Promise<void> {
  if (!onlyParams(response, params, [])) return;
  const records = await context.store.session(id, MAX_SESSION_RECORDS);
  if (records.length === 0) return sendError(response, 404, 'not_found', 'no record has this session');
  sendJson(response, 200, { session: id, records, truncated: records.length >= MAX_SESSION_RECORDS });
}

/** `DELETE /v1/users/:user/records` (admin key): a GDPR erasure. */
export async function eraseUser(context: ReadContext, response: ServerResponse, params: URLSearchParams, user: string): Promise<void> {
  if (!onlyParams(response, params, [])) return;
  const deleted = await context.store.eraseUser(user);
  // The user id itself is not logged: an erasure log must not keep who was erased.
  context.log({ level: 'info', message: 'user records erased', deleted });
  sendJson(response, 200, { deleted });
}

/** `GET /v1/tail`: server-sent events of committed records matching the filter parameters. */
export function tail(context: ReadContext, request: IncomingMessage, response: ServerResponse, params: URLSearchParams): void {
  let filter;
  try {
    const { limit: _limit, cursor: _cursor, ...rest } = parseListQuery(params);
    if (params.has('limit') || params.has('cursor')) throw new QueryParamError(params.has('limit') ? 'limit' : 'cursor', 'not a parameter of the tail');
    filter = rest;
  } catch (error) {
    if (error instanceof QueryParamError) return badParam(response, error);
    throw error;
  }
  request.socket.setTimeout(0);
  response.setHeader('x-content-type-options', 'nosniff');
  if (!context.tail.add(response, filter)) sendError(response, 503, 'tail_full', 'too many live tail clients; retry later', { headers: { 'retry-after': '5' } });
}
