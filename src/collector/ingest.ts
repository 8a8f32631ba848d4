/**
 * `POST /v1/records`: a batch of records, validated one by one; the valid ones are written (once per
 * id) and the answer says which were accepted and why the others were not.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallRecord } from '../events/record.js';
import { readBody, type BodyFailure } from './body.js';
import { sendError, sendJson } from './http.js';
import { parseRecord, type RecordIssue } from './record-schema.js';
import type { WriteQueue } from './write-queue.js';

/** Records one batch may carry. */
export const MAX_BATCH_RECORDS = 10_000;
/** Seconds a refused client is told to wait when the write queue is full. */
export const RETRY_AFTER_S = 1;

/** A record refused, by its index in the batch. */
export interface RejectedRecord {
  index: number;
  /** The record's `id` when it had a usable one. */
  id?: string;
  /** The first issue's field (`usage.inputTokens`), repeated here for clients that read one reason per record. */
  field: string;
  /** The first issue's message. */
  message: string;
  /** Every issue of the record. */
  issues: RecordIssue[];
}

/** The answer to an ingest request (200, or 400 when some records were refused). */
export interface IngestAnswer {
  /** Indexes of the records accepted (written now, or already stored). */
  accepted: number[];
  rejected: RejectedRecord[];
  /** Records written by this request. */
  inserted: number;
  /** Accepted records whose id was already stored (or repeated in the batch): ignored. */
  duplicates: number;
}

/** What the ingest routes need from the server. */
export interface IngestContext {
  queue: WriteQueue;
  maxBodyBytes: number;
  log: (entry: { level: 'error'; message: string; [field: string]: unknown }) => void;
}

const BODY_STATUS: Readonly<Record<BodyFailure['kind'], number>> = { too_large: 413, unsupported_encoding: 415, bad_encoding: 400, aborted: 400 };

/**
 * Reads and parses a JSON (optionally gzip) body, answering the error itself when it cannot.
 * @returns The parsed value, or `undefined` when an error answer was sent.
 */
export async function readJson(request: IncomingMessage, response: ServerResponse, maxBodyBytes: number): Promise<{ value: unknown } | undefined> {
  const body = await readBody(request, maxBodyBytes);
  if (!body.ok) {
    // The rest of a refused body is not read: close the connection after the answer.
    sendError(response, BODY_STATUS[body.kind], body.kind === 'too_large' ? 'payload_too_large' : body.kind, body.message, { headers: { connection: 'close' } });
    return undefined;
  }
  try {
    return { value: JSON.parse(body.bytes.toString('utf8')) as unknown };
  } catch {
    sendError(response, 400, 'malformed_json', 'the body is not valid JSON');
    return undefined;
  }
}

/** What writing a batch came to. */
export type WriteOutcome = { kind: 'committed'; inserted: number; duplicates: number } | { kind: 'queue_full' } | { kind: 'failed' };

/**
 * Writes records once per id (repeats in the batch count as duplicates) and waits for the commit.
 * @param context The queue and log.
 * @param records Valid records.
 */
export async function write(context: IngestContext, records: readonly CallRecord[]): Promise<WriteOutcome> {
  const unique = new Map<string, CallRecord>();
  for (const record of records) if (!unique.has(record.id)) unique.set(record.id, record);
  const repeated = records.length - unique.size;
  if (unique.size === 0) return { kind: 'committed', inserted: 0, duplicates: repeated };
  const pending = context.queue.push([...unique.values()]);
  if (pending === null) return { kind: 'queue_full' };
  try {
    const result = await pending;
    return { kind: 'committed', inserted: result.inserted, duplicates: result.duplicates + repeated };
  } catch (error) {
    context.log({ level: 'error', message: 'storage error', error: error instanceof Error ? error.message : String(error) });
    return { kind: 'failed' };
  }
}

/**
 * Answers a write that did not commit: 429 (queue full) or 503 (store failed), both with `retry-after`.
 * @param response The answer.
 * @param outcome What {@link write} came to.
 */
export function sendNotCommitted(response: ServerResponse, outcome: { kind: 'queue_full' } | { kind: 'failed' }): void {
  const headers = { 'retry-after': String(RETRY_AFTER_S) };
  if (outcome.kind === 'queue_full') sendError(response, 429, 'queue_full', `the write queue is full; retry in ${RETRY_AFTER_S} s`, { headers });
  else sendError(response, 503, 'storage_error', 'the batch could not be stored; retry later', { headers });
}

/**
 * Writes a batch of already-validated records and answers.
 * @param context The queue and log.
 * @param response The answer.
 * @param records The valid records with their index in the batch.
 * @param rejected The refused ones.
 */
export async function commit(context: IngestContext, response: ServerResponse, records: ReadonlyArray<{ index: number; record: CallRecord }>, rejected: RejectedRecord[]): Promise<void> {
  const outcome = await write(
    context,
    records.map((entry) => entry.record),
  );
  if (outcome.kind !== 'committed') return sendNotCommitted(response, outcome);
  const answer: IngestAnswer = { accepted: records.map((entry) => entry.index), rejected, inserted: outcome.inserted, duplicates: outcome.duplicates };
  if (rejected.length === 0) {
    sendJson(response, 200, answer);
    return;
  }
  const kept = answer.accepted.length === 0 ? 'none was kept' : `the other ${answer.accepted.length} were kept`;
  sendError(response, 400, 'invalid_records', `${rejected.length} record(s) are invalid (${describe(rejected[0]!)}); ${kept}`, { body: { ...answer } });
}

function describe(rejected: RejectedRecord): string {
  const issue = rejected.issues[0];
  return `records[${rejected.index}]${issue && issue.field !== '' ? `.${issue.field}` : ''}: ${issue?.message ?? 'invalid'}`;
}

/**
 * Handles `POST /v1/records` (the caller has checked the key).
 * @param context The queue, limits and log.
 */
export async function ingestRecords(context: IngestContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const parsed = await readJson(request, response, context.maxBodyBytes);
  if (parsed === undefined) return;
  const value = parsed.value;
  const list = typeof value === 'object' && value !== null && !Array.isArray(value) ? (value as { records?: unknown }).records : undefined;
  if (!Array.isArray(list)) {
    sendError(response, 400, 'invalid_body', "expected a JSON object { \"records\": [...] }", { param: 'records' });
    return;
  }
  if (list.length > MAX_BATCH_RECORDS) {
    sendError(response, 413, 'payload_too_large', `a batch holds at most ${MAX_BATCH_RECORDS} records (got ${list.length}); split it`);
    return;
  }
  const valid: Array<{ index: number; record: CallRecord }> = [];
  const rejected: RejectedRecord[] = [];
  list.forEach((item: unknown, index) => {
    const result = parseRecord(item);
    if (result.ok) {
      valid.push({ index, record: result.record });
      return;
    }
    const first = result.issues[0] ?? { field: '', message: 'invalid record' };
    const entry: RejectedRecord = { index, field: first.field, message: first.message, issues: result.issues };
    const id = typeof item === 'object' && item !== null ? (item as { id?: unknown }).id : undefined;
    if (typeof id === 'string' && id.length <= 256) entry.id = id;
    rejected.push(entry);
  });
  await commit(context, response, valid, rejected);
}
