/**
 * One record: what was asked and answered, the attempt chain with its retries and fallbacks, guard
 * findings, and the bodies when they were stored.
 * @module
 */
import type { Attempt, CallRecord } from '../../../../events/record.js';
import { getJson } from '../api.js';
import { h, s, type Child } from '../dom.js';
import { formatCount, formatDateTime, formatMs, formatUsdPrecise } from '../format.js';
import { extractMessages } from '../messages.js';
import { routeHash } from '../query.js';
import { linearScale } from '../scale.js';
import { facts, modelCell, pageHeader, statusBadge, type PageContext } from '../views.js';

/**
 * The record of an answer: `GET /v1/records/:id` may answer the record itself or `{ record }`.
 * @param body The parsed answer.
 */
export function unwrapRecord(body: unknown): CallRecord {
  if (typeof body === 'object' && body !== null && 'record' in body && typeof (body as { record: unknown }).record === 'object') return (body as { record: CallRecord }).record;
  return body as CallRecord;
}

/**
 * How an attempt relates to the one before it.
 * @param attempts Every attempt of the call.
 * @param index The attempt's position.
 */
export function attemptKind(attempts: readonly Attempt[], index: number): 'first' | 'retry' | 'fallback' {
  const previous = attempts[index - 1];
  const attempt = attempts[index];
  if (previous === undefined || attempt === undefined) return 'first';
  return previous.provider === attempt.provider && previous.model === attempt.model ? 'retry' : 'fallback';
}

function attemptChain(record: CallRecord): HTMLElement {
  const attempts = record.attempts;
  if (attempts.length === 0) return h('p', { class: 'empty' }, 'No upstream request was made (Sluice answered itself).');
  const end = Math.max(record.latencyMs, ...attempts.map((attempt) => attempt.sentAfterMs + attempt.latencyMs), 1);
  const width = 640;
  const rowHeight = 26;
  const x = linearScale([0, end], [0, width]);
  const timeline = s(
    'svg',
    { viewBox: `0 0 ${width} ${attempts.length * rowHeight}`, class: 'chart timeline', role: 'img', 'aria-label': 'Attempts over the call\'s time' },
    attempts.map((attempt, index) =>
      s(
        'g',
        { class: attempt.errorClass === null ? 'attempt ok' : 'attempt bad' },
        s('title', undefined, `#${index + 1} ${attempt.provider ?? 'SDK URL'} ${attempt.model ?? ''}: sent at ${formatMs(attempt.sentAfterMs)}, ${formatMs(attempt.latencyMs)}`),
        s('rect', { x: x(attempt.sentAfterMs), y: index * rowHeight + 5, width: Math.max(3, x(attempt.latencyMs)), height: rowHeight - 10, rx: 3 }),
      ),
    ),
  );
  const rows = attempts.map((attempt, index) => {
    const kind = attemptKind(attempts, index);
    return h(
      'tr',
      { class: attempt.errorClass === null ? undefined : 'row-error' },
      h('td', undefined, String(index + 1)),
      h('td', undefined, kind === 'first' ? '' : h('span', { class: `badge ${kind === 'fallback' ? 'warn' : 'plain'}` }, kind)),
      h('td', undefined, attempt.provider ?? 'SDK URL'),
      h('td', { class: 'model' }, attempt.model ?? '—'),
      h('td', undefined, attempt.keyId ?? '—'),
      h('td', undefined, attempt.status === null ? '—' : h('span', { class: `badge ${attempt.status < 300 ? 'ok' : attempt.status < 500 ? 'warn' : 'bad'}` }, String(attempt.status))),
      h('td', undefined, attempt.errorClass ?? '—'),
      h('td', { class: 'num' }, formatMs(attempt.sentAfterMs)),
      h('td', { class: 'num' }, formatMs(attempt.latencyMs)),
    );
  });
  return h(
    'div',
    undefined,
    timeline,
    h(
      'div',
      { class: 'table-wrap' },
      h('table', { class: 'attempts' }, h('thead', undefined, h('tr', undefined, ['#', '', 'Provider', 'Model', 'Key', 'Status', 'Error', 'Sent at', 'Latency'].map((name) => h('th', { scope: 'col', class: name === 'Sent at' || name === 'Latency' ? 'num' : undefined }, name)))), h('tbody', undefined, rows)),
    ),
  );
}

function pretty(body: string): string {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function bodyView(title: string, body: string | null): HTMLElement {
  if (body === null) return h('section', { class: 'card' }, h('h3', undefined, title), h('p', { class: 'empty' }, 'Not stored (record.bodies is off, or there was none).'));
  const messages = extractMessages(body);
  return h(
    'section',
    { class: 'card body' },
    h('h3', undefined, title),
    messages ? h('ol', { class: 'messages' }, messages.map((message) => h('li', { class: `message role-${/^[a-z]+$/.test(message.role) ? message.role : 'other'}` }, h('div', { class: 'role' }, message.role), h('div', { class: 'text' }, message.text)))) : null,
    h('details', { open: messages === null }, h('summary', undefined, 'Raw'), h('pre', { class: 'raw' }, pretty(body))),
  );
}

function usageFacts(record: CallRecord): Child {
  const usage = record.usage;
  const parts = [`${formatCount(usage.inputTokens)} in`, `${formatCount(usage.outputTokens)} out`];
  if (usage.cachedTokens) parts.push(`${formatCount(usage.cachedTokens)} cached`);
  if (usage.reasoningTokens) parts.push(`${formatCount(usage.reasoningTokens)} reasoning`);
  if (usage.cacheWriteTokens) parts.push(`${formatCount(usage.cacheWriteTokens)} cache writes`);
  const flags = [record.usageEstimated ? 'estimated' : '', record.usagePartial ? 'partial' : ''].filter(Boolean);
  return `${parts.join(' · ')}${flags.length ? ` (${flags.join(', ')})` : ''}`;
}

/**
 * Renders one record.
 * @param context The page context; `route.id` is the record id.
 */
export async function recordPage(context: PageContext): Promise<void> {
  const id = context.route.id ?? '';
  const record = unwrapRecord(await getJson<unknown>(`v1/records/${encodeURIComponent(id)}`, context.signal));
  const pricing = record.pricing ? Object.entries(record.pricing).filter(([, value]) => value !== null) : [];
  const summary = facts([
    ['Started', formatDateTime(record.startedAt)],
    ['Status', [statusBadge(record), ' ', record.outcome]],
    ['Model', modelCell(record)],
    ['Provider', record.provider ?? 'the SDK\'s own URL'],
    ['API', `${record.dialect} ${record.operation}${record.streamed ? ', streamed' : ''}`],
    ['Latency', `${formatMs(record.latencyMs)}${record.ttftMs === null ? '' : ` (first token ${formatMs(record.ttftMs)})`}`],
    ['Sluice overhead', formatMs(record.overheadMs)],
    ['Tokens', usageFacts(record)],
    ['Cost', `${formatUsdPrecise(record.costUsd)}${pricing.length ? ` (${pricing.map(([key, value]) => `${key} ${String(value)}`).join(', ')})` : ''}`],
    ['User', record.user ? h('a', { href: routeHash({ page: 'log', id: null, params: { user: record.user } }) }, record.user) : '—'],
    ['Session', record.session ? h('a', { href: routeHash({ page: 'session', id: record.session, params: {} }) }, record.session) : '—'],
    ['Tags', record.tags.length ? record.tags.map((tag) => h('a', { class: 'badge plain', href: routeHash({ page: 'log', id: null, params: { tag } }) }, tag)) : '—'],
    ['Cache', record.cache ? `${record.cache.status} in ${record.cache.namespace}${record.cache.savedUsd === null ? '' : `, saved ${formatUsdPrecise(record.cache.savedUsd)}`}` : '—'],
  ]);
  const findings =
    record.guard.length === 0
      ? h('p', { class: 'empty' }, 'No PII or guard rule matched.')
      : h(
          'table',
          { class: 'findings' },
          h('thead', undefined, h('tr', undefined, ['Rule', 'Action', 'Matches'].map((name) => h('th', { scope: 'col' }, name)))),
          h('tbody', undefined, record.guard.map((verdict) => h('tr', undefined, h('td', undefined, verdict.rule), h('td', undefined, h('span', { class: `badge ${verdict.action === 'block' ? 'bad' : verdict.action === 'log' ? 'plain' : 'warn'}` }, verdict.action)), h('td', { class: 'num' }, formatCount(verdict.count))))),
        );
  context.show(
    pageHeader(['Call ', h('code', { class: 'record-id' }, record.id)], h('a', { class: 'button', href: routeHash({ page: 'log', id: null, params: {} }) }, '← Requests')),
    record.error ? h('div', { class: 'card alert', role: 'note' }, h('strong', undefined, record.error.class), ': ', record.error.message) : null,
    h('section', { class: 'card' }, h('h3', undefined, 'Summary'), summary),
    h('section', { class: 'card' }, h('h3', undefined, `Attempts (${record.attempts.length})`), attemptChain(record)),
    h('section', { class: 'card' }, h('h3', undefined, 'PII and guard findings'), findings),
    record.metadata ? h('section', { class: 'card' }, h('h3', undefined, 'Metadata'), h('pre', { class: 'raw' }, JSON.stringify(record.metadata, null, 2))) : null,
    h('div', { class: 'bodies' }, bodyView('Request', record.requestBody), bodyView('Response', record.responseBody)),
  );
}
