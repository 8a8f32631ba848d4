/**
 * The mock's Gemini dialect (AI Studio `/v1beta/models/{model}:generateContent`, `:streamGenerateContent`,
 * `:countTokens`, also under `/v1/`, and the same body on Vertex AI): `GenerateContentResponse` objects,
 * SSE events separated by CRLF CRLF (or a streamed JSON array without `alt=sse`), and Google's error
 * bodies `{"error":{"code","message","status"}}`.
 *
 * @module
 */

import type { MockFinishReason, MockMidStreamErrorStep, MockRateLimitStep, MockReplyStep } from './script.js';
import {
  argumentsObject,
  estimateOutputTokens,
  estimateTokens,
  firstHalf,
  isRecord,
  json,
  partsText,
  resolveReply,
  resolveUsage,
  splitDeltas,
  type JsonRender,
  type Render,
  type RouteInput,
  type UsageNumbers,
} from './render.js';

/** Fields of a Google error object. */
export interface GoogleErrorFields {
  readonly code: number;
  readonly message: string;
  readonly status: string;
  readonly details?: readonly unknown[];
}

const DEFAULT_ERRORS: Readonly<Record<number, Omit<GoogleErrorFields, 'code'>>> = {
  400: { status: 'INVALID_ARGUMENT', message: 'Request contains an invalid argument.' },
  401: {
    status: 'UNAUTHENTICATED',
    message:
      'Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project.',
  },
  402: { status: 'RESOURCE_EXHAUSTED', message: 'Your prepayment credits are depleted.' },
  403: { status: 'PERMISSION_DENIED', message: 'The caller does not have permission' },
  404: { status: 'NOT_FOUND', message: 'Requested entity was not found.' },
  409: { status: 'ABORTED', message: 'The operation was aborted.' },
  429: { status: 'RESOURCE_EXHAUSTED', message: 'Resource has been exhausted (e.g. check quota).' },
  499: { status: 'CANCELLED', message: 'The operation was cancelled.' },
  500: {
    status: 'INTERNAL',
    message: 'An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting',
  },
  501: { status: 'UNIMPLEMENTED', message: 'Operation is not implemented, or supported, or enabled.' },
  503: { status: 'UNAVAILABLE', message: 'The model is overloaded. Please try again later.' },
  504: { status: 'DEADLINE_EXCEEDED', message: 'Deadline expired before operation could complete.' },
};

/**
 * Google's error status and message for an HTTP status, overridable field by field.
 * @param code - the HTTP status
 * @param overrides - the scripted `type` (Google `status`) and `message`
 */
export function googleErrorFields(code: number, overrides: { type?: string | undefined; message?: string | undefined } = {}): GoogleErrorFields {
  const base = DEFAULT_ERRORS[code] ?? {
    status: code >= 500 ? 'INTERNAL' : 'FAILED_PRECONDITION',
    message: `Mock error with status ${code}.`,
  };
  return { code, status: overrides.type ?? base.status, message: overrides.message ?? base.message };
}

function errorObject(fields: GoogleErrorFields): { error: Record<string, unknown> } {
  const error: Record<string, unknown> = { code: fields.code, message: fields.message, status: fields.status };
  if (fields.details !== undefined) error['details'] = fields.details;
  return { error };
}

/**
 * A Google error answer (Gemini API, Vertex AI): `{"error":{"code","message","status","details"?}}`.
 * @param fields - the error fields; `code` is the HTTP status
 */
export function googleErrorRender(fields: GoogleErrorFields): JsonRender {
  return json(fields.code, errorObject(fields));
}

/**
 * What the Gemini API answers a missing or wrong API key: 403 `PERMISSION_DENIED` for none, 400
 * `INVALID_ARGUMENT` with an `API_KEY_INVALID` detail for a wrong one (it never sends a 401 for keys).
 * @param isMissing - whether no key was sent
 */
export function geminiInvalidKeyRender(isMissing: boolean): JsonRender {
  if (isMissing) {
    return googleErrorRender({
      code: 403,
      status: 'PERMISSION_DENIED',
      message:
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
    });
  }
  const message = 'API key not valid. Please pass a valid API key.';
  return googleErrorRender({
    code: 400,
    status: 'INVALID_ARGUMENT',
    message,
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.ErrorInfo',
        reason: 'API_KEY_INVALID',
        domain: 'googleapis.com',
        metadata: { service: 'generativelanguage.googleapis.com' },
      },
      { '@type': 'type.googleapis.com/google.rpc.LocalizedMessage', locale: 'en-US', message },
    ],
  });
}

/**
 * The 429 of a `rate-limit` step: `RESOURCE_EXHAUSTED` with `QuotaFailure` and `RetryInfo.retryDelay`;
 * `retry-after` only when the step gives a wait, as Google sends no rate-limit headers of its own.
 * @param step - the rate-limit step
 * @param service - the API named in the quota metric
 */
export function googleRateLimitRender(step: MockRateLimitStep, service: string): JsonRender {
  const waitMs = step.retryAfterMs ?? (step.retryAfterS ?? 1) * 1000;
  const render = googleErrorRender({
    code: 429,
    status: 'RESOURCE_EXHAUSTED',
    message: `You exceeded your current quota, please check your plan and billing details. Please retry in ${waitMs / 1000}s.`,
    details: [
      {
        '@type': 'type.googleapis.com/google.rpc.QuotaFailure',
        violations: [{ quotaMetric: `${service}/generate_content_requests`, quotaId: 'GenerateRequestsPerMinutePerProjectPerModel' }],
      },
      { '@type': 'type.googleapis.com/google.rpc.RetryInfo', retryDelay: `${Number((waitMs / 1000).toFixed(3))}s` },
    ],
  });
  const headers: Record<string, string> = { ...render.headers };
  if (step.retryAfterS !== undefined || step.retryAfterMs !== undefined) {
    headers['retry-after'] = String(step.retryAfterS ?? Math.ceil(waitMs / 1000));
  }
  if (step.retryAfterMs !== undefined) headers['retry-after-ms'] = String(step.retryAfterMs);
  return { ...render, headers };
}

function midStreamFields(step: MockMidStreamErrorStep): GoogleErrorFields {
  return googleErrorFields(step.status ?? 500, step);
}

/**
 * The body of a mid-stream error on a non-streaming answer: Google's error object with HTTP 200.
 * @param step - the mid-stream-error step
 */
export function googleJsonErrorBody(step: MockMidStreamErrorStep): string {
  return JSON.stringify(errorObject(midStreamFields(step)));
}

function finishReason(reason: MockFinishReason): string {
  switch (reason) {
    case 'stop':
    case 'tool_calls':
      return 'STOP';
    case 'length':
      return 'MAX_TOKENS';
    case 'content_filter':
      return 'SAFETY';
  }
}

function lastUserText(contents: readonly unknown[]): string {
  for (let index = contents.length - 1; index >= 0; index -= 1) {
    const content = contents[index];
    // A content without a role is the user's, as the API reads it.
    if (isRecord(content) && (content['role'] === 'user' || content['role'] === undefined)) return partsText(content['parts']);
  }
  return '';
}

function promptTokens(body: Record<string, unknown>, contents: readonly unknown[]): number {
  const system = body['systemInstruction'];
  let total = isRecord(system) ? estimateTokens(partsText(system['parts'])) : 0;
  for (const content of contents) total += isRecord(content) ? estimateTokens(partsText(content['parts'])) : 0;
  return Math.max(1, total);
}

function usageMetadata(usage: UsageNumbers, isVertex: boolean): Record<string, unknown> {
  const metadata: Record<string, unknown> = {
    promptTokenCount: usage.input,
    candidatesTokenCount: Math.max(0, usage.output - usage.reasoningOutput),
    totalTokenCount: usage.input + usage.output,
  };
  if (usage.cachedInput > 0) metadata['cachedContentTokenCount'] = usage.cachedInput;
  if (usage.reasoningOutput > 0) metadata['thoughtsTokenCount'] = usage.reasoningOutput;
  metadata['promptTokensDetails'] = [{ modality: 'TEXT', tokenCount: usage.input }];
  if (usage.cachedInput > 0) metadata['cacheTokensDetails'] = [{ modality: 'TEXT', tokenCount: usage.cachedInput }];
  if (isVertex) metadata['trafficType'] = 'ON_DEMAND';
  return metadata;
}

/** What a checked Gemini request holds, or the 400 it gets. */
function checkRequest(input: RouteInput): { body: Record<string, unknown>; contents: readonly unknown[] } | JsonRender {
  const body = input.body;
  if (!isRecord(body)) {
    return googleErrorRender(googleErrorFields(400, { message: 'Invalid JSON payload received. Unexpected token.' }));
  }
  const contents = body['contents'];
  if (!Array.isArray(contents) || contents.length === 0) {
    return googleErrorRender(googleErrorFields(400, { message: '* GenerateContentRequest.contents: contents is not specified\n' }));
  }
  return { body, contents };
}

/**
 * Answers `:countTokens` with `{"totalTokens":N,"promptTokensDetails":[...]}`.
 * @param input - the request
 * @param reply - a scripted reply, whose `usage.prompt_tokens` wins
 */
export function renderGeminiCountTokens(input: RouteInput, reply: MockReplyStep | undefined): Render {
  const checked = checkRequest(input);
  if ('type' in checked) return checked;
  const total = reply?.usage?.prompt_tokens ?? promptTokens(checked.body, checked.contents);
  return json(200, { totalTokens: total, promptTokensDetails: [{ modality: 'TEXT', tokenCount: total }] });
}

/** Frames one SSE event as Google does: CRLF line ends, CRLF CRLF between events. */
function googleSseEvent(data: string): string {
  return `data: ${data}\r\n\r\n`;
}

/**
 * Answers a Gemini `generateContent` / `streamGenerateContent` request (AI Studio or Vertex), scripted or
 * by echoing the last user text.
 * @param input - the request
 * @param reply - the scripted reply, if any
 */
export function renderGemini(input: RouteInput, reply: MockReplyStep | undefined): Render {
  const checked = checkRequest(input);
  if ('type' in checked) return checked;
  const { body, contents } = checked;
  const isVertex = input.route.dialect === 'vertex';
  const number = input.requestNumber;
  const resolved = resolveReply(reply, `Echo: ${lastUserText(contents)}`, input.route.pathModel ?? 'gemini');
  const reasoning = resolved.thinking === null ? 0 : estimateTokens(resolved.thinking);
  const usage = resolveUsage(reply, promptTokens(body, contents), estimateOutputTokens(resolved, true), reasoning);
  const reason = finishReason(resolved.finishReason);
  const signature = Buffer.from(`mock-thought-signature:${number}`).toString('base64');

  const callParts = resolved.toolCalls.map((call, index) => {
    const functionCall: Record<string, unknown> = { name: call.name, args: argumentsObject(call.arguments) };
    if (call.id !== undefined) functionCall['id'] = call.id;
    const part: Record<string, unknown> = { functionCall };
    // Thinking models sign the first function call so the next turn can carry the reasoning on.
    if (index === 0 && resolved.thinking !== null) part['thoughtSignature'] = signature;
    return part;
  });
  const envelope = (parts: unknown[], isLast: boolean): Record<string, unknown> => {
    const candidate: Record<string, unknown> = { content: { role: 'model', parts } };
    if (isLast) candidate['finishReason'] = reason;
    candidate['index'] = 0;
    const response: Record<string, unknown> = {
      candidates: [candidate],
      usageMetadata: isLast
        ? usageMetadata(usage, isVertex)
        : { promptTokenCount: usage.input, totalTokenCount: usage.input, promptTokensDetails: [{ modality: 'TEXT', tokenCount: usage.input }] },
      modelVersion: resolved.model,
    };
    if (isVertex) response['createTime'] = '2025-01-01T00:00:00.000000Z';
    response['responseId'] = `mockresp${number}`;
    return response;
  };

  const isStream = input.route.isStreamPath === true;
  if (!isStream) {
    const parts: unknown[] = [];
    if (resolved.thinking !== null) parts.push({ text: resolved.thinking, thought: true });
    if (resolved.content !== null) parts.push({ text: resolved.content });
    parts.push(...callParts);
    return json(200, envelope(parts, true));
  }

  const partLists: unknown[][] = [];
  for (const piece of splitDeltas(resolved.thinking ?? '')) partLists.push([{ text: piece, thought: true }]);
  for (const piece of splitDeltas(resolved.content ?? '')) partLists.push([{ text: piece }]);
  // Function calls arrive whole, all in one chunk.
  if (callParts.length > 0) partLists.push(callParts);
  if (partLists.length === 0) partLists.push([{ text: '' }]);
  // The last chunk carries the finish reason and the full usage along with its parts.
  const payloads = partLists.map((parts, index) => JSON.stringify(envelope(parts, index === partLists.length - 1)));
  const brokenPayload = firstHalf(payloads[0] ?? '{}');
  const errorJson = (step: MockMidStreamErrorStep): string => JSON.stringify(errorObject(midStreamFields(step)));

  const isSse = new URLSearchParams(input.query).get('alt') === 'sse';
  if (isSse) {
    return {
      type: 'stream',
      headers: { 'content-type': 'text/event-stream', 'cache-control': 'no-cache' },
      events: payloads.map(googleSseEvent),
      final: [],
      done: undefined,
      broken: googleSseEvent(brokenPayload),
      error: (step) => googleSseEvent(errorJson(step)),
    };
  }
  // Without alt=sse Google streams one JSON array, an element at a time.
  return {
    type: 'stream',
    headers: { 'content-type': 'application/json; charset=UTF-8' },
    events: payloads.map((payload, index) => `${index === 0 ? '[' : ',\r\n'}${payload}`),
    final: [']'],
    done: undefined,
    broken: `,\r\n${brokenPayload}`,
    error: (step, sequenceNumber) => `${sequenceNumber === 0 ? '[' : ',\r\n'}${errorJson(step)}]`,
  };
}
