/**
 * Pieces shared by the pages: badges, record rows, key-value lists, page frames.
 * @module
 */
import type { CallRecord } from '../../../events/record.js';
import { h, type Child } from './dom.js';
import { formatCount, formatDateTime, formatMs, formatUsdPrecise } from './format.js';
import { routeHash, type Route } from './query.js';

/** What a page gets: where to draw, the route, and a signal that aborts when the user navigates away. */
export interface PageContext {
  /** Shows the page's content (ignored once the page is left). */
  show: (...children: Child[]) => void;
  route: Route;
  signal: AbortSignal;
}

/**
 * A status badge: green for 2xx, amber for 4xx, red for 5xx and no answer.
 * @param record The record.
 */
export function statusBadge(record: Pick<CallRecord, 'status' | 'outcome'>): HTMLElement {
  const status = record.status;
  const tone = status === null ? 'bad' : status < 300 && record.outcome === 'completed' ? 'ok' : status < 500 ? 'warn' : 'bad';
  return h('span', { class: `badge ${tone}`, title: record.outcome }, status === null ? record.outcome : String(status));
}

/**
 * A hash link to a record.
 * @param id The record id.
 * @param children The link's content.
 */
export function recordLink(id: string, ...children: Child[]): HTMLAnchorElement {
  return h('a', { href: routeHash({ page: 'record', id, params: {} }) }, ...children);
}

/**
 * The model a record asked for and, when different, the one that served it.
 * @param record The record.
 */
export function modelCell(record: CallRecord): Child {
  const requested = record.requestedModel;
  const served = record.model;
  if (requested && served && requested !== served) return [h('span', undefined, requested), h('span', { class: 'muted' }, ` → ${served}`)];
  return served ?? requested ?? '—';
}

function tokens(record: CallRecord): string {
  const { inputTokens, outputTokens } = record.usage;
  if (inputTokens === null && outputTokens === null) return '—';
  return `${formatCount(inputTokens ?? 0)} / ${formatCount(outputTokens ?? 0)}${record.usageEstimated ? ' ≈' : ''}`;
}

/** The columns of a records table. */
export const RECORD_COLUMNS = ['Time', 'Model', 'Provider', 'Status', 'Latency', 'Tokens in / out', 'Cost', 'User', 'Session', 'Cache'] as const;

const NUMERIC = new Set(['Latency', 'Tokens in / out', 'Cost']);

/**
 * The header row of a records table.
 * @param extra Columns before the usual ones.
 */
export function recordHead(...extra: string[]): HTMLTableSectionElement {
  return h('thead', undefined, h('tr', undefined, [...extra, ...RECORD_COLUMNS].map((name) => h('th', { scope: 'col', class: NUMERIC.has(name) ? 'num' : undefined }, name))));
}

/**
 * One row of a records table; the time links to the record.
 * @param record The record.
 * @param extra Cells before the usual ones.
 */
export function recordRow(record: CallRecord, ...extra: Child[]): HTMLTableRowElement {
  return h(
    'tr',
    { 'data-id': record.id, class: record.outcome === 'completed' ? undefined : 'row-error' },
    extra.map((cell) => h('td', undefined, cell)),
    h('td', { class: 'nowrap' }, recordLink(record.id, formatDateTime(record.startedAt))),
    h('td', { class: 'model' }, modelCell(record)),
    h('td', undefined, record.provider ?? '—'),
    h('td', undefined, statusBadge(record)),
    h('td', { class: 'num' }, formatMs(record.latencyMs)),
    h('td', { class: 'num' }, tokens(record)),
    h('td', { class: 'num' }, formatUsdPrecise(record.costUsd)),
    h('td', undefined, record.user ?? '—'),
    h('td', undefined, record.session ? h('a', { href: routeHash({ page: 'session', id: record.session, params: {} }) }, record.session) : '—'),
    h('td', undefined, record.cache ? h('span', { class: `badge ${record.cache.status === 'hit' ? 'ok' : 'plain'}` }, record.cache.status) : '—'),
  );
}

/**
 * A definition list from pairs; `undefined` values are skipped.
 * @param pairs Label and value.
 */
export function facts(pairs: ReadonlyArray<readonly [string, Child]>): HTMLDListElement {
  return h('dl', { class: 'facts' }, pairs.filter(([, value]) => value !== undefined).map(([label, value]) => h('div', undefined, h('dt', undefined, label), h('dd', undefined, value ?? '—'))));
}

/**
 * A page heading with optional actions on the right.
 * @param title The heading.
 * @param actions Controls.
 */
export function pageHeader(title: Child, ...actions: Child[]): HTMLElement {
  return h('div', { class: 'page-head' }, h('h2', undefined, title), h('div', { class: 'actions' }, ...actions));
}
