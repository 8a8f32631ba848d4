/**
 * The live tail (`GET /v1/tail`): committed records pushed to every listening client as server-sent
 * events. Each client's unsent bytes are bounded: a client that stops reading is dropped, the server
 * never buffers for it. Bodies are left out (the detail route has them); a record retried into the
 * collector is sent once (ids seen recently are remembered, a bounded set).
 * @module
 */
import type { ServerResponse } from 'node:http';
import type { CallRecord } from '../events/record.js';
import type { RecordFilter } from './store/types.js';

/** Ids remembered to send a retried record once. */
const RECENT_IDS = 10_000;

interface Client {
  response: ServerResponse;
  filter: RecordFilter;
}

/**
 * Tells whether a record matches a filter, as the store's `list` would.
 * @param record The record.
 * @param filter The filter (every field ANDed).
 */
export function matches(record: CallRecord, filter: RecordFilter): boolean {
  if (filter.from !== undefined && record.startedAt < filter.from) return false;
  if (filter.to !== undefined && record.startedAt >= filter.to) return false;
  if (filter.provider !== undefined && record.provider !== filter.provider) return false;
  if (filter.model !== undefined && record.model !== filter.model && record.requestedModel !== filter.model) return false;
  if (filter.user !== undefined && record.user !== filter.user) return false;
  if (filter.session !== undefined && record.session !== filter.session) return false;
  if (filter.tag !== undefined && !record.tags.includes(filter.tag)) return false;
  if (filter.status !== undefined && record.status !== filter.status) return false;
  if (filter.outcome !== undefined && record.outcome !== filter.outcome) return false;
  if (filter.cache !== undefined && (record.cache?.status ?? 'none') !== filter.cache) return false;
  return true;
}

/** The clients of the live tail. */
export class TailHub {
  readonly #clients = new Set<Client>();
  readonly #maxClients: number;
  readonly #maxBufferedBytes: number;
  readonly #recent = new Set<string>();
  #keepAlive: ReturnType<typeof setInterval> | undefined;
  readonly #keepAliveMs: number;
  /** Clients dropped because they read too slowly. */
  dropped = 0;

  /**
   * @param options `maxClients`: listeners at once; `maxBufferedBytes`: unsent bytes per client before it is dropped; `keepAliveMs`: comment interval.
   */
  constructor(options: { maxClients: number; maxBufferedBytes: number; keepAliveMs: number }) {
    this.#maxClients = options.maxClients;
    this.#maxBufferedBytes = options.maxBufferedBytes;
    this.#keepAliveMs = options.keepAliveMs;
  }

  /** Listening clients. */
  get size(): number {
    return this.#clients.size;
  }

  /**
   * Starts streaming to a client.
   * @returns `false` when the hub is full (the caller answers 503).
   */
  add(response: ServerResponse, filter: RecordFilter): boolean {
    if (this.#clients.size >= this.#maxClients) return false;
    const client: Client = { response, filter };
    this.#clients.add(client);
    response.once('close', () => this.#remove(client));
    response.writeHead(200, { 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-store', 'x-accel-buffering': 'no' });
    response.write(': connected\n\n');
    this.#keepAlive ??= setInterval(() => this.#broadcast(': keep-alive\n\n'), this.#keepAliveMs);
    this.#keepAlive.unref();
    return true;
  }

  /**
   * Sends committed records to the clients whose filter they match.
   * @param records A committed batch.
   */
  publish(records: readonly CallRecord[]): void {
    if (this.#clients.size === 0) return;
    for (const record of records) {
      if (this.#recent.has(record.id)) continue;
      this.#recent.add(record.id);
      if (this.#recent.size > RECENT_IDS) this.#recent.delete(this.#recent.values().next().value!);
      let frame: string | undefined;
      for (const client of this.#clients) {
        if (!matches(record, client.filter)) continue;
        frame ??= `event: record\nid: ${record.id.replace(/[\r\n]/g, '')}\ndata: ${JSON.stringify({ ...record, requestBody: null, responseBody: null })}\n\n`;
        this.#send(client, frame);
      }
    }
  }

  /** Ends every stream and stops the keep-alive timer. */
  close(): void {
    for (const client of [...this.#clients]) client.response.end();
    this.#clients.clear();
    this.#stopTimer();
  }

  #broadcast(frame: string): void {
    for (const client of this.#clients) this.#send(client, frame);
  }

  #send(client: Client, frame: string): void {
    if (client.response.writableLength + frame.length > this.#maxBufferedBytes) {
      this.dropped++;
      this.#remove(client);
      client.response.destroy();
      return;
    }
    client.response.write(frame);
  }

  #remove(client: Client): void {
    this.#clients.delete(client);
    if (this.#clients.size === 0) this.#stopTimer();
  }

  #stopTimer(): void {
    if (this.#keepAlive !== undefined) clearInterval(this.#keepAlive);
    this.#keepAlive = undefined;
  }
}
