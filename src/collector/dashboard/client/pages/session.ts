/**
 * A session: its calls in the order they were made, with running totals.
 * @module
 */
import type { CallRecord } from '../../../../events/record.js';
import { ApiError, getJson } from '../api.js';
import { h } from '../dom.js';
import { formatCount, formatMs, formatUsd } from '../format.js';
import { routeHash } from '../query.js';
import { facts, pageHeader, recordHead, recordRow, type PageContext } from '../views.js';

/**
 * The records of an answer: `GET /v1/sessions/:id` may answer `{ records }` or the array itself.
 * @param body The parsed answer.
 */
export function unwrapRecords(body: unknown): CallRecord[] {
  if (Array.isArray(body)) return body as CallRecord[];
  if (typeof body === 'object' && body !== null && Array.isArray((body as { records?: unknown }).records)) return (body as { records: CallRecord[] }).records;
  return [];
}

/**
 * Renders one session.
 * @param context The page context; `route.id` is the session id.
 */
export async function sessionPage(context: PageContext): Promise<void> {
  const id = context.route.id ?? '';
  let body: unknown;
  try {
    body = await getJson<unknown>(`v1/sessions/${encodeURIComponent(id)}`, context.signal);
  } catch (error) {
    // The collector answers 404 for a session with no stored call (erased, expired, or mistyped).
    if (!(error instanceof ApiError && error.status === 404)) throw error;
    body = { records: [] };
  }
  const records = unwrapRecords(body).slice().sort((a, b) => a.startedAt - b.startedAt);
  const truncated = typeof body === 'object' && body !== null && (body as { truncated?: unknown }).truncated === true;
  const first = records[0];
  const last = records.at(-1);
  const cost = records.reduce((sum, record) => sum + (record.costUsd ?? 0), 0);
  const tokens = records.reduce((sum, record) => sum + (record.usage.inputTokens ?? 0) + (record.usage.outputTokens ?? 0), 0);
  const users = [...new Set(records.map((record) => record.user).filter((user): user is string => user !== null))];
  context.show(
    pageHeader(['Session ', h('code', undefined, id)], h('a', { class: 'button', href: routeHash({ page: 'log', id: null, params: { session: id } }) }, 'In the request log')),
    h(
      'section',
      { class: 'card' },
      facts([
        ['Calls', h('span', { 'data-kpi': 'session-calls' }, formatCount(records.length))],
        ['Errors', formatCount(records.filter((record) => record.outcome !== 'completed').length)],
        ['Cost', h('span', { 'data-kpi': 'session-cost' }, formatUsd(cost))],
        ['Tokens', formatCount(tokens)],
        ['Duration', first && last ? formatMs(last.startedAt + last.latencyMs - first.startedAt) : '—'],
        ['Users', users.length ? users.join(', ') : '—'],
      ]),
    ),
    truncated ? h('p', { class: 'muted' }, `The first ${formatCount(records.length)} calls of this session.`) : null,
    records.length === 0
      ? h('p', { class: 'empty card' }, 'No calls in this session.')
      : h(
          'div',
          { class: 'card table-wrap' },
          h('table', { class: 'records' }, recordHead('#', 'After'), h('tbody', undefined, records.map((record, index) => recordRow(record, String(index + 1), first ? `+${formatMs(record.startedAt - first.startedAt)}` : '')))),
        ),
  );
}
