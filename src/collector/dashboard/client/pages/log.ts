/**
 * The request log: filters, a page of records newest first, and cursor paging.
 * @module
 */
import type { RecordPage } from '../../../store/types.js';
import { getJson } from '../api.js';
import { h } from '../dom.js';
import { formatCount } from '../format.js';
import { FILTER_KEYS, RANGE_PRESETS, rangeWindow, recordsQuery, routeHash, type RangePreset } from '../query.js';
import { pageHeader, recordHead, recordRow, type PageContext } from '../views.js';

/** Records per page. */
export const PAGE_SIZE = 50;

const CHOICES: Readonly<Partial<Record<(typeof FILTER_KEYS)[number], readonly string[]>>> = {
  outcome: ['completed', 'failed', 'cancelled', 'errored'],
  cache: ['hit', 'miss', 'bypass', 'none'],
};

function field(name: (typeof FILTER_KEYS)[number], value: string): HTMLElement {
  const id = `filter-${name}`;
  const choices = CHOICES[name];
  const control = choices
    ? h('select', { id, name }, h('option', { value: '' }, 'any'), choices.map((choice) => h('option', { value: choice, selected: choice === value }, choice)))
    : h('input', { id, name, value, type: name === 'status' ? 'number' : 'text', inputmode: name === 'status' ? 'numeric' : undefined, placeholder: 'any', autocomplete: 'off', spellcheck: 'false' });
  return h('div', { class: 'field' }, h('label', { for: id }, name), control);
}

/**
 * Renders the request log.
 * @param context The page context.
 */
export async function logPage(context: PageContext): Promise<void> {
  const params = context.route.params;
  const range = (RANGE_PRESETS as readonly string[]).includes(params.range ?? '') ? (params.range as RangePreset) : null;
  const window = range ? rangeWindow(range, Date.now()) : null;
  const page = await getJson<RecordPage>(`v1/records?${recordsQuery(params, window, params.cursor ?? null, PAGE_SIZE)}`, context.signal);

  const form = h(
    'form',
    {
      class: 'card filters',
      role: 'search',
      onsubmit: (event: Event) => {
        event.preventDefault();
        const next: Record<string, string> = {};
        for (const [key, value] of new FormData(event.target as HTMLFormElement)) if (typeof value === 'string' && value.trim()) next[key] = value.trim();
        location.hash = routeHash({ page: 'log', id: null, params: next });
      },
    },
    FILTER_KEYS.map((name) => field(name, params[name] ?? '')),
    h(
      'div',
      { class: 'field' },
      h('label', { for: 'filter-range' }, 'range'),
      h('select', { id: 'filter-range', name: 'range' }, h('option', { value: '' }, 'all time'), RANGE_PRESETS.map((preset) => h('option', { value: preset, selected: preset === range }, `last ${preset}`))),
    ),
    h('div', { class: 'field buttons' }, h('button', { type: 'submit', class: 'primary' }, 'Apply'), h('a', { class: 'button', href: routeHash({ page: 'log', id: null, params: {} }) }, 'Clear')),
  );

  const active = FILTER_KEYS.filter((key) => params[key]);
  const summary = h('p', { class: 'muted', 'data-count': String(page.records.length) }, `${formatCount(page.records.length)} record${page.records.length === 1 ? '' : 's'} on this page${active.length ? `, filtered by ${active.join(', ')}` : ''}${params.cursor ? ' (older page)' : ''}.`);
  const table =
    page.records.length === 0
      ? h('p', { class: 'empty card' }, 'No records match.')
      : h('div', { class: 'card table-wrap' }, h('table', { class: 'records' }, recordHead(), h('tbody', undefined, page.records.map((record) => recordRow(record)))));
  const pager = h(
    'nav',
    { class: 'pager', 'aria-label': 'Pages' },
    params.cursor ? h('a', { class: 'button', href: routeHash({ page: 'log', id: null, params: { ...params, cursor: '' } }) }, '← Newest') : null,
    page.nextCursor ? h('a', { class: 'button', rel: 'next', href: routeHash({ page: 'log', id: null, params: { ...params, cursor: page.nextCursor } }) }, 'Older →') : null,
  );
  context.show(pageHeader('Requests'), form, summary, table, pager);
}
