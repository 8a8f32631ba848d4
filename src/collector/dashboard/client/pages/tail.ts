/**
 * The live tail: committed records as the collector stores them, read from `GET /v1/tail` (server-sent
 * events) through `fetch`, so the read key goes in a header. Reconnects with backoff; pausing holds new
 * records (a bounded number) until resumed.
 * @module
 */
import type { CallRecord } from '../../../../events/record.js';
import { AuthError, request } from '../api.js';
import { h } from '../dom.js';
import { formatCount } from '../format.js';
import { SseParser } from '../sse.js';
import { pageHeader, recordHead, recordRow, type PageContext } from '../views.js';

/** Rows kept on screen (and records held while paused). */
export const MAX_ROWS = 500;
const MAX_RECONNECTS = 50;

/**
 * The records carried by one event's data: a record, `{ record }`, `{ records }` or an array.
 * @param data The event's data text.
 */
export function recordsOfEvent(data: string): CallRecord[] {
  let body: unknown;
  try {
    body = JSON.parse(data);
  } catch {
    return [];
  }
  const list = Array.isArray(body) ? body : typeof body === 'object' && body !== null && Array.isArray((body as { records?: unknown }).records) ? (body as { records: unknown[] }).records : [typeof body === 'object' && body !== null && 'record' in body ? (body as { record: unknown }).record : body];
  return list.filter((item): item is CallRecord => typeof item === 'object' && item !== null && typeof (item as { id?: unknown }).id === 'string' && typeof (item as { startedAt?: unknown }).startedAt === 'number');
}

/**
 * Renders the live tail and keeps it streaming until the page is left.
 * @param context The page context.
 * @param onAuthError Shows the key prompt when the collector refuses the key mid-way.
 */
export async function tailPage(context: PageContext, onAuthError: (error: AuthError) => void): Promise<void> {
  const state = h('span', { class: 'pill', 'data-state': 'connecting', role: 'status' }, 'Connecting…');
  const counter = h('span', { class: 'muted', 'data-count': '0' }, 'No calls yet.');
  const body = h('tbody');
  const held: CallRecord[] = [];
  const seen = new Set<string>();
  let received = 0;
  let paused = false;
  const pause = h('button', { type: 'button', onclick: () => setPaused(!paused) }, 'Pause');
  const clear = h('button', { type: 'button', onclick: () => body.replaceChildren() }, 'Clear');
  const empty = h('p', { class: 'empty' }, 'Waiting for calls… records appear here as the collector commits them.');

  const setState = (name: string, text: string): void => {
    state.dataset.state = name;
    state.textContent = text;
  };
  const addRows = (records: readonly CallRecord[]): void => {
    for (const record of records) {
      const row = recordRow(record);
      row.classList.add('new');
      body.prepend(row);
    }
    while (body.rows.length > MAX_ROWS) body.lastElementChild?.remove();
    empty.hidden = body.rows.length > 0;
  };
  function setPaused(value: boolean): void {
    paused = value;
    pause.textContent = paused ? 'Resume' : 'Pause';
    if (!paused) addRows(held.splice(0));
    counter.textContent = `${formatCount(received)} call${received === 1 ? '' : 's'} since opened${paused && held.length ? `, ${formatCount(held.length)} held while paused` : ''}.`;
  }
  const receive = (records: CallRecord[]): void => {
    const fresh = records.filter((record) => !seen.has(record.id));
    for (const record of fresh) {
      seen.add(record.id);
      // The set only de-duplicates what may still be on screen.
      if (seen.size > 4 * MAX_ROWS) seen.delete(seen.values().next().value as string);
    }
    if (fresh.length === 0) return;
    received += fresh.length;
    counter.dataset.count = String(received);
    if (paused) {
      held.push(...fresh);
      held.splice(0, Math.max(0, held.length - MAX_ROWS));
    } else addRows(fresh);
    setPaused(paused);
  };

  context.show(
    pageHeader('Live tail', state, pause, clear),
    h('p', undefined, counter),
    h('div', { class: 'card table-wrap' }, h('table', { class: 'records tail' }, recordHead(), body), empty),
  );

  const decoder = new TextDecoder();
  for (let attempt = 0; attempt < MAX_RECONNECTS && !context.signal.aborted; attempt++) {
    try {
      const response = await request('v1/tail', context.signal);
      const reader = response.body?.getReader();
      if (!reader) throw new Error('no body');
      setState('live', 'Live');
      attempt = 0;
      const parser = new SseParser((message) => receive(recordsOfEvent(message.data)));
      for (;;) {
        const { done, value } = await reader.read();
        if (done) break;
        parser.push(decoder.decode(value, { stream: true }));
      }
    } catch (error) {
      if (context.signal.aborted) return;
      if (error instanceof AuthError) {
        onAuthError(error);
        return;
      }
    }
    if (context.signal.aborted) return;
    const delayMs = Math.min(30_000, 1000 * 2 ** attempt);
    setState('reconnecting', `Reconnecting in ${Math.round(delayMs / 1000)} s…`);
    await new Promise<void>((resolve) => {
      const timer = setTimeout(resolve, delayMs);
      context.signal.addEventListener('abort', () => {
        clearTimeout(timer);
        resolve();
      }, { once: true });
    });
  }
  if (!context.signal.aborted) setState('stopped', 'Disconnected: reload to try again');
}
