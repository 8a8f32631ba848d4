/**
 * The mock's Ollama native dialect, `POST /api/chat`: NDJSON by default (one JSON object per line,
 * `message.content` / `message.thinking` deltas, whole `tool_calls` with object arguments, a final
 * `done: true` line with counts and nanosecond durations), one object with `stream: false`, and
 * `{"error":"..."}` bodies.
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
  resolveReply,
  resolveUsage,
  splitDeltas,
  type JsonRender,
  type Render,
  type RouteInput,
} from './render.js';

/** Fixed timestamps, so every answer is reproducible. */
const CREATED_AT = '2025-01-01T00:00:00Z';
const DONE_AT = '2025-01-01T00:00:01Z';

const DEFAULT_MESSAGES: Readonly<Record<number, string>> = {
  400: 'invalid request',
  401: 'unauthorized',
  403: 'forbidden',
  404: 'model not found, try pulling it first',
  429: 'too many requests',
  500: 'an error was encountered while running the model',
  502: 'an error was encountered while running the model: unexpected EOF',
  503: 'server busy, please try again.  maximum pending requests exceeded',
};

/**
 * An Ollama error answer: `{"error":"message"}`.
 * @param status - the HTTP status
 * @param message - the text, defaulting to Ollama's for that status
 */
export function ollamaErrorRender(status: number, message?: string): JsonRender {
  return json(status, { error: message ?? DEFAULT_MESSAGES[status] ?? `mock error with status ${status}` });
}

/**
 * The 429 of a `rate-limit` step (Ollama Cloud); `retry-after` only when the step gives a wait.
 * @param step - the rate-limit step
 */
export function ollamaRateLimitRender(step: MockRateLimitStep): JsonRender {
  const render = ollamaErrorRender(429);
  const headers: Record<string, string> = { ...render.headers };
  if (step.retryAfterS !== undefined || step.retryAfterMs !== undefined) {
    headers['retry-after'] = String(step.retryAfterS ?? Math.ceil((step.retryAfterMs ?? 0) / 1000));
  }
  if (step.retryAfterMs !== undefined) headers['retry-after-ms'] = String(step.retryAfterMs);
  return { ...render, headers };
}

/**
 * The `{"error":...}` object of a mid-stream error, as a JSON text.
 * @param step - the mid-stream-error step
 */
export function ollamaJsonErrorBody(step: MockMidStreamErrorStep): string {
  const status = step.status ?? 500;
  return JSON.stringify({ error: step.message ?? DEFAULT_MESSAGES[status] ?? DEFAULT_MESSAGES[500] });
}

function doneReason(reason: MockFinishReason): string {
  // Ollama has no tool-call or filter reason: a turn that calls tools ends with `stop`.
  return reason === 'length' ? 'length' : 'stop';
}

function lastUserText(messages: readonly unknown[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (isRecord(message) && message['role'] === 'user') return typeof message['content'] === 'string' ? message['content'] : '';
  }
  return '';
}

function promptTokens(messages: readonly unknown[]): number {
  let total = 0;
  for (const message of messages) {
    total += 3 + (isRecord(message) && typeof message['content'] === 'string' ? estimateTokens(message['content']) : 0);
  }
  return Math.max(1, total);
}

/**
 * Answers `POST /api/chat`, scripted or by echoing the last user message; streams unless `stream: false`.
 * @param input - the request
 * @param reply - the scripted reply, if any
 */
export function renderOllama(input: RouteInput, reply: MockReplyStep | undefined): Render {
  const body = input.body;
  if (!isRecord(body)) return ollamaErrorRender(400, 'invalid character looking for beginning of value');
  const model = body['model'];
  if (typeof model !== 'string' || model.length === 0) return ollamaErrorRender(400, 'model is required');
  const messagesValue = body['messages'];
  const messages = Array.isArray(messagesValue) ? messagesValue : [];

  const resolved = resolveReply(reply, `Echo: ${lastUserText(messages)}`, model);
  const reasoning = resolved.thinking === null ? 0 : estimateTokens(resolved.thinking);
  const usage = resolveUsage(reply, promptTokens(messages), estimateOutputTokens(resolved, true), reasoning);
  const toolCalls = resolved.toolCalls.map((call) => ({ function: { name: call.name, arguments: argumentsObject(call.arguments) } }));
  // Durations are in nanoseconds, derived from the counts so they stay deterministic.
  const stats = {
    done: true,
    done_reason: doneReason(resolved.finishReason),
    total_duration: 5_000_000 + usage.output * 20_000_000,
    load_duration: 1_000_000,
    prompt_eval_count: usage.input,
    prompt_eval_duration: usage.input * 1_000_000,
    eval_count: usage.output,
    eval_duration: usage.output * 20_000_000,
  };

  // Ollama streams unless told otherwise.
  if (body['stream'] === false) {
    const message: Record<string, unknown> = { role: 'assistant', content: resolved.content ?? '' };
    if (resolved.thinking !== null) message['thinking'] = resolved.thinking;
    if (toolCalls.length > 0) message['tool_calls'] = toolCalls;
    return json(200, { model: resolved.model, created_at: DONE_AT, message, ...stats });
  }

  const line = (message: Record<string, unknown>): string =>
    `${JSON.stringify({ model: resolved.model, created_at: CREATED_AT, message: { role: 'assistant', ...message }, done: false })}\n`;
  const events: string[] = [];
  for (const piece of splitDeltas(resolved.thinking ?? '')) events.push(line({ content: '', thinking: piece }));
  for (const piece of splitDeltas(resolved.content ?? '')) events.push(line({ content: piece }));
  if (toolCalls.length > 0) events.push(line({ content: '', tool_calls: toolCalls }));
  events.push(`${JSON.stringify({ model: resolved.model, created_at: DONE_AT, message: { role: 'assistant', content: '' }, ...stats })}\n`);

  const first = events[0] ?? '{}\n';
  return {
    type: 'stream',
    headers: { 'content-type': 'application/x-ndjson' },
    events,
    final: [],
    done: undefined,
    broken: `${firstHalf(first.trimEnd())}\n`,
    error: (step) => `${ollamaJsonErrorBody(step)}\n`,
  };
}
