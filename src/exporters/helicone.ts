/**
 * `heliconeExporter`: each record to Helicone's async logging API (`POST /custom/v1/log`, the
 * "manual logger" route documented in Helicone's `docs/getting-started/integration-method/manual-logger-curl.mdx`),
 * so the Helicone dashboard keeps working while the gateway runs in-process. Web platform only.
 * @module
 */
import type { CallRecord } from '../events/record.js';
import { ExportError, retryAfterMs } from './export-error.js';
import type { Exporter } from './types.js';

/** Options of {@link heliconeExporter}. */
export interface HeliconeExporterOptions {
  /** The Helicone API key, sent as `Authorization: Bearer <apiKey>`; never in errors or events. */
  apiKey: string;
  /**
   * The logging endpoint; self-hosted Helicone uses `<jawn>/v1/trace/custom/log`.
   * @default 'https://api.worker.helicone.ai/custom/v1/log'
   */
  url?: string;
  /** Extra headers on every log request. */
  headers?: Record<string, string>;
  /** The `fetch` to send with. @default globalThis.fetch */
  fetch?: typeof globalThis.fetch;
}

/** One log as Helicone's async logging API takes it (`HeliconeAsyncLogRequest`). */
export interface HeliconeAsyncLog {
  providerRequest: { url: string; json: Record<string, unknown>; meta: Record<string, string> };
  providerResponse: { json?: Record<string, unknown>; textBody?: string; status: number; headers: Record<string, string> };
  timing: { startTime: { seconds: number; milliseconds: number }; endTime: { seconds: number; milliseconds: number }; timeToFirstToken?: number };
}

const DEFAULT_URL = 'https://api.worker.helicone.ai/custom/v1/log';
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;
/** Metadata keys the Helicone compat layer fills from `Helicone-Session-Path` / `-Name`. */
const SESSION_KEYS: Readonly<Record<string, string>> = { sessionPath: 'Helicone-Session-Path', sessionName: 'Helicone-Session-Name' };

function epoch(ms: number): { seconds: number; milliseconds: number } {
  const whole = Math.floor(ms);
  return { seconds: Math.floor(whole / 1000), milliseconds: whole % 1000 };
}

function parseObject(text: string | null): Record<string, unknown> | null {
  if (text === null) return null;
  try {
    const parsed: unknown = JSON.parse(text);
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? (parsed as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}

/**
 * Turns one record into Helicone's log shape: the request and response bodies when the record has them
 * (else only the model and the token counts, so Helicone can still price the call), the timing, and the
 * user, session and properties as the `Helicone-*` meta headers Helicone reads.
 * @param record A Sluice record.
 * @returns The log body.
 */
export function toHeliconeLog(record: CallRecord): HeliconeAsyncLog {
  const meta: Record<string, string> = {};
  if (UUID.test(record.id)) meta['Helicone-Request-Id'] = record.id;
  if (record.user !== null) meta['Helicone-User-Id'] = record.user;
  if (record.session !== null) meta['Helicone-Session-Id'] = record.session;
  for (const [key, value] of Object.entries(record.metadata ?? {})) {
    const text = typeof value === 'string' ? value : JSON.stringify(value);
    if (text === undefined) continue;
    meta[SESSION_KEYS[key] ?? `Helicone-Property-${key}`] = text;
  }
  if (record.tags.length > 0) meta['Helicone-Property-Tags'] = record.tags.join(',');
  if (record.provider !== null) meta['Helicone-Property-Provider'] = record.provider;
  if (record.cache !== null) meta['Helicone-Property-Cache'] = record.cache.status;

  const model = record.model ?? record.requestedModel;
  const requestJson = parseObject(record.requestBody) ?? (model === null ? {} : { model });
  const response: HeliconeAsyncLog['providerResponse'] = { status: record.status ?? 0, headers: {} };
  const answer = parseObject(record.responseBody);
  if (answer !== null) response.json = answer;
  else {
    // A stream, an omitted body or none: the usage alone, in OpenAI's shape, which Helicone reads.
    const { inputTokens, outputTokens } = record.usage;
    response.json = {
      ...(model === null ? {} : { model }),
      ...(inputTokens === null && outputTokens === null
        ? {}
        : { usage: { prompt_tokens: inputTokens ?? 0, completion_tokens: outputTokens ?? 0, total_tokens: (inputTokens ?? 0) + (outputTokens ?? 0) } }),
      ...(record.error === null ? {} : { error: { message: record.error.message, type: record.error.class } }),
    };
    if (record.responseBody !== null) response.textBody = record.responseBody;
  }
  const timing: HeliconeAsyncLog['timing'] = { startTime: epoch(record.startedAt), endTime: epoch(record.startedAt + record.latencyMs) };
  if (record.ttftMs !== null) timing.timeToFirstToken = Math.round(record.ttftMs);
  return { providerRequest: { url: 'custom-model-nopath', json: requestJson, meta }, providerResponse: response, timing };
}

/**
 * Creates an exporter that sends each record to Helicone's async logging API, one POST per record
 * (the API takes one log per request). Put it in `createSluice({ exporters: [...] })`: the batch queue
 * in front of it bounds memory, retries a failed batch, and counts what it drops. Records of a batch
 * already delivered are not sent again when the batch is retried.
 * @param options The API key, and the endpoint for self-hosted Helicone.
 * @returns The exporter.
 * @throws {TypeError} when `url` is not an http(s) URL or `apiKey` is empty.
 * @example
 * createSluice({ compat: { helicone: true }, exporters: [heliconeExporter({ apiKey: process.env.HELICONE_API_KEY! })] });
 */
export function heliconeExporter(options: HeliconeExporterOptions): Exporter {
  if (typeof options.apiKey !== 'string' || options.apiKey === '') throw new TypeError('heliconeExporter().apiKey: expected a Helicone API key');
  const url = options.url ?? DEFAULT_URL;
  let target: URL;
  try {
    target = new URL(url);
  } catch {
    throw new TypeError(`heliconeExporter().url: expected an http(s) URL, got ${JSON.stringify(url)}`);
  }
  if (target.protocol !== 'http:' && target.protocol !== 'https:') throw new TypeError(`heliconeExporter().url: expected an http(s) URL, got ${JSON.stringify(url)}`);
  const fetchImpl = options.fetch ?? ((input: RequestInfo | URL, init?: RequestInit) => globalThis.fetch(input, init));
  const headers = { ...options.headers, authorization: `Bearer ${options.apiKey}`, 'content-type': 'application/json' };
  /** Records of a batch Helicone already took, so a retried batch does not log them twice. */
  const delivered = new WeakSet<CallRecord>();
  return {
    name: 'helicone',
    async export(records: readonly CallRecord[], signal: AbortSignal): Promise<void> {
      for (const record of records) {
        if (delivered.has(record)) continue;
        let response: Response;
        try {
          response = await fetchImpl(target.href, { method: 'POST', headers, body: JSON.stringify(toHeliconeLog(record)), signal });
        } catch (error) {
          throw new ExportError(`Helicone log to ${target.origin} failed: ${error instanceof Error ? error.message : String(error)}`, { retryable: true });
        }
        await response.body?.cancel();
        if (!response.ok) {
          const retryable = response.status === 408 || response.status === 429 || response.status >= 500;
          throw new ExportError(`Helicone log to ${target.origin} answered HTTP ${response.status}`, {
            retryable,
            retryAfterMs: retryAfterMs(response.headers.get('retry-after'), Date.now()),
          });
        }
        delivered.add(record);
      }
    },
  };
}
