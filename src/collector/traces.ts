/**
 * `POST /v1/traces`: an OTLP/HTTP trace export (JSON or protobuf, gzip accepted) from any OpenTelemetry
 * SDK; its GenAI spans become records (`tracesToRecords`), checked against the ingest schema like any
 * other record, and written through the same queue. The answer is an OTLP `ExportTraceServiceResponse`
 * in the request's encoding, with `partial_success` naming rejected spans.
 * @module
 */
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { CallRecord } from '../events/record.js';
import { readBody } from './body.js';
import { sendError } from './http.js';
import { sendNotCommitted, write, type IngestContext } from './ingest.js';
import { OtlpDecodeError, traceExportResponse, tracesToRecords, type RejectedSpan } from './otlp/index.js';
import { parseRecord } from './record-schema.js';

/**
 * Handles `POST /v1/traces` (the caller has checked the key).
 * @param context The queue, limits and log.
 */
export async function ingestTraces(context: IngestContext, request: IncomingMessage, response: ServerResponse): Promise<void> {
  const body = await readBody(request, context.maxBodyBytes);
  if (!body.ok) {
    const status = body.kind === 'too_large' ? 413 : body.kind === 'unsupported_encoding' ? 415 : 400;
    sendError(response, status, body.kind === 'too_large' ? 'payload_too_large' : body.kind, body.message, { headers: { connection: 'close' } });
    return;
  }
  const contentType = request.headers['content-type'] ?? '';
  let mapped;
  try {
    mapped = tracesToRecords(body.bytes, contentType);
  } catch (error) {
    if (!(error instanceof OtlpDecodeError)) throw error;
    sendError(response, error.status, error.status === 415 ? 'unsupported_media_type' : 'malformed_otlp', error.message);
    return;
  }
  const records: CallRecord[] = [];
  const rejected: RejectedSpan[] = [...mapped.rejected];
  for (const record of mapped.records) {
    const checked = parseRecord(record);
    if (checked.ok) records.push(checked.record);
    else rejected.push({ index: -1, reason: `record ${record.id}: ${checked.issues[0]?.field ?? ''} ${checked.issues[0]?.message ?? 'invalid'}` });
  }
  const outcome = await write(context, records);
  if (outcome.kind !== 'committed') return sendNotCommitted(response, outcome);
  const answer = traceExportResponse(rejected, contentType);
  response.setHeader('x-content-type-options', 'nosniff');
  response.writeHead(200, { 'content-type': answer.contentType, 'content-length': answer.body.byteLength, 'cache-control': 'no-store' });
  response.end(answer.body);
}
