/**
 * The mock's Bedrock Runtime dialect: `POST /model/{modelId}/converse` (JSON), `/converse-stream`
 * (`application/vnd.amazon.eventstream` frames with valid CRCs: `messageStart`, `contentBlockStart` for
 * tool use, `contentBlockDelta` for text, tool input and reasoning, `contentBlockStop`, `messageStop`,
 * then `metadata` with usage; exceptions as `:message-type: exception` frames), `/count-tokens`, and
 * Bedrock's errors: `{"message"}` with an `x-amzn-errortype` header.
 *
 * @module
 */

import { encodeEventStreamMessage } from '../../wire/bedrock/event-stream.js';
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
  splitFragments,
  uncachedInput,
  type JsonRender,
  type Render,
  type RouteInput,
  type UsageNumbers,
} from './render.js';

/** Fields of a Bedrock error: the exception name and its message. */
export interface BedrockErrorFields {
  readonly type: string;
  readonly message: string;
}

const DEFAULT_ERRORS: Readonly<Record<number, BedrockErrorFields>> = {
  400: { type: 'ValidationException', message: 'The provided request is not valid.' },
  403: { type: 'AccessDeniedException', message: "You don't have access to the model with the specified model ID." },
  404: { type: 'ResourceNotFoundException', message: 'The provided model identifier is invalid.' },
  408: { type: 'ModelTimeoutException', message: 'Model has timed out in processing the request. Try your request again.' },
  424: { type: 'ModelErrorException', message: 'The model encountered an error processing your request. Try your request again.' },
  429: { type: 'ThrottlingException', message: 'Too many requests, please wait before trying again.' },
  500: { type: 'InternalServerException', message: 'The system encountered an unexpected error during processing. Try your request again.' },
  503: { type: 'ServiceUnavailableException', message: 'Bedrock is unable to process your request.' },
};

/** Exceptions raised by the AWS front door rather than by Bedrock itself. */
const CORAL_SERVICE_ERRORS = new Set([
  'UnrecognizedClientException',
  'InvalidSignatureException',
  'IncompleteSignatureException',
  'MissingAuthenticationTokenException',
]);

/**
 * Bedrock's exception name and message for a status, overridable field by field.
 * @param status - the HTTP status
 * @param overrides - the scripted `type` (exception name) and `message`
 */
export function bedrockErrorFields(status: number, overrides: { type?: string | undefined; message?: string | undefined } = {}): BedrockErrorFields {
  const base = DEFAULT_ERRORS[status] ?? {
    type: status >= 500 ? 'InternalServerException' : 'ValidationException',
    message: `Mock error with status ${status}.`,
  };
  return { type: overrides.type ?? base.type, message: overrides.message ?? base.message };
}

/**
 * A Bedrock error answer: `{"message"}` with `x-amzn-errortype: <Name>:http://internal.amazon.com/coral/...`.
 * @param status - the HTTP status
 * @param fields - the exception name and message
 */
export function bedrockErrorRender(status: number, fields: BedrockErrorFields): JsonRender {
  const namespace = CORAL_SERVICE_ERRORS.has(fields.type) ? 'com.amazon.coral.service' : 'com.amazon.bedrock';
  const render = json(status, { message: fields.message });
  return { ...render, headers: { ...render.headers, 'x-amzn-errortype': `${fields.type}:http://internal.amazon.com/coral/${namespace}/` } };
}

/**
 * The 429 `ThrottlingException` of a `rate-limit` step; Bedrock sends no rate-limit headers, so
 * `retry-after` appears only when the step gives a wait.
 * @param step - the rate-limit step
 */
export function bedrockRateLimitRender(step: MockRateLimitStep): JsonRender {
  const render = bedrockErrorRender(429, bedrockErrorFields(429));
  const headers: Record<string, string> = { ...render.headers };
  if (step.retryAfterS !== undefined || step.retryAfterMs !== undefined) {
    headers['retry-after'] = String(step.retryAfterS ?? Math.ceil((step.retryAfterMs ?? 0) / 1000));
  }
  if (step.retryAfterMs !== undefined) headers['retry-after-ms'] = String(step.retryAfterMs);
  return { ...render, headers };
}

function midStreamFields(step: MockMidStreamErrorStep): BedrockErrorFields {
  const fields = bedrockErrorFields(step.status ?? 500, step);
  // Stream exceptions are named by their camelCase member (`throttlingException`).
  return { type: fields.type.charAt(0).toLowerCase() + fields.type.slice(1), message: fields.message };
}

/**
 * The body of a mid-stream error on a non-streaming answer: `{"message"}` with HTTP 200.
 * @param step - the mid-stream-error step
 */
export function bedrockJsonErrorBody(step: MockMidStreamErrorStep): string {
  return JSON.stringify({ message: midStreamFields(step).message });
}

const encoder = new TextEncoder();
const PADDING = 'abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789';

/**
 * One `:message-type: event` frame; its payload carries Bedrock's `p` padding, of a length that varies
 * with the frame's position as the real (random) one varies.
 * @param eventType - the `:event-type`
 * @param payload - the event's members
 * @param position - the frame's index in the stream
 */
function eventFrame(eventType: string, payload: Record<string, unknown>, position: number): Uint8Array {
  const padded = { ...payload, p: PADDING.slice(0, 1 + ((position * 7) % PADDING.length)) };
  return encodeEventStreamMessage(
    { ':event-type': eventType, ':content-type': 'application/json', ':message-type': 'event' },
    encoder.encode(JSON.stringify(padded)),
  );
}

function stopReason(reason: MockFinishReason): string {
  switch (reason) {
    case 'stop':
      return 'end_turn';
    case 'length':
      return 'max_tokens';
    case 'tool_calls':
      return 'tool_use';
    case 'content_filter':
      return 'content_filtered';
  }
}

function blockText(block: unknown): string {
  if (!isRecord(block)) return '';
  if (typeof block['text'] === 'string') return block['text'];
  const toolResult = block['toolResult'];
  if (isRecord(toolResult)) return partsText(toolResult['content']);
  const toolUse = block['toolUse'];
  if (isRecord(toolUse)) return JSON.stringify(toolUse['input'] ?? {});
  return '';
}

function lastUserText(messages: readonly unknown[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (isRecord(message) && message['role'] === 'user') return partsText(message['content']);
  }
  return '';
}

function inputTokens(system: unknown, messages: readonly unknown[]): number {
  let total = estimateTokens(partsText(system));
  for (const message of messages) {
    const content = isRecord(message) ? message['content'] : undefined;
    if (Array.isArray(content)) for (const block of content) total += estimateTokens(blockText(block));
    total += 3;
  }
  return Math.max(1, total);
}

function usageFields(usage: UsageNumbers): Record<string, unknown> {
  return {
    inputTokens: uncachedInput(usage),
    outputTokens: usage.output,
    totalTokens: usage.input + usage.output,
    cacheReadInputTokens: usage.cachedInput,
    cacheWriteInputTokens: usage.cacheWriteInput,
  };
}

function validation(message: string): JsonRender {
  return bedrockErrorRender(400, { type: 'ValidationException', message });
}

/**
 * Answers `POST /model/{modelId}/count-tokens` (`{"input":{"converse":{...}}}`) with `{"inputTokens":N}`.
 * @param input - the request
 * @param reply - a scripted reply, whose `usage.prompt_tokens` wins
 */
export function renderBedrockCountTokens(input: RouteInput, reply: MockReplyStep | undefined): Render {
  const body = input.body;
  const wrapped = isRecord(body) && isRecord(body['input']) ? body['input']['converse'] : undefined;
  if (!isRecord(wrapped) || !Array.isArray(wrapped['messages'])) {
    return validation("1 validation error detected: Value null at 'input' failed to satisfy constraint: Member must not be null");
  }
  return json(200, { inputTokens: reply?.usage?.prompt_tokens ?? inputTokens(wrapped['system'], wrapped['messages']) });
}

/**
 * Answers Converse or ConverseStream, scripted or by echoing the last user text.
 * @param input - the request
 * @param reply - the scripted reply, if any
 */
export function renderBedrock(input: RouteInput, reply: MockReplyStep | undefined): Render {
  const body = input.body;
  if (!isRecord(body)) return bedrockErrorRender(400, { type: 'SerializationException', message: 'Unable to parse the request body as JSON.' });
  const messages = body['messages'];
  if (!Array.isArray(messages)) {
    return validation("1 validation error detected: Value null at 'messages' failed to satisfy constraint: Member must not be null");
  }
  const number = input.requestNumber;
  const resolved = resolveReply(reply, `Echo: ${lastUserText(messages)}`, input.route.pathModel ?? 'bedrock');
  const reasoning = resolved.thinking === null ? 0 : estimateTokens(resolved.thinking);
  const usage = resolveUsage(reply, inputTokens(body['system'], messages), estimateOutputTokens(resolved, true), reasoning);
  const signature = Buffer.from(`mock-signature:${number}`).toString('base64');
  const callIds = resolved.toolCalls.map((call, index) => call.id ?? `tooluse_mock${number}_${index}`);
  const reason = stopReason(resolved.finishReason);
  const latencyMs = 100 + usage.output;

  if (input.route.isStreamPath !== true) {
    const content: unknown[] = [];
    if (resolved.thinking !== null) content.push({ reasoningContent: { reasoningText: { text: resolved.thinking, signature } } });
    if (resolved.content !== null) content.push({ text: resolved.content });
    resolved.toolCalls.forEach((call, index) => {
      content.push({ toolUse: { toolUseId: callIds[index], name: call.name, input: argumentsObject(call.arguments) } });
    });
    return json(200, {
      output: { message: { role: 'assistant', content } },
      stopReason: reason,
      usage: usageFields(usage),
      metrics: { latencyMs },
    });
  }

  const frames: Uint8Array[] = [];
  const frame = (eventType: string, payload: Record<string, unknown>): void => {
    frames.push(eventFrame(eventType, payload, frames.length));
  };
  frame('messageStart', { role: 'assistant' });
  let index = 0;
  let firstDelta: Record<string, unknown> | undefined;
  const delta = (fields: Record<string, unknown>): void => {
    const payload = { contentBlockIndex: index, delta: fields };
    firstDelta ??= payload;
    frame('contentBlockDelta', payload);
  };
  const stopBlock = (): void => {
    frame('contentBlockStop', { contentBlockIndex: index });
    index += 1;
  };
  // Text and reasoning blocks open with their first delta; only tool use has a contentBlockStart.
  if (resolved.thinking !== null) {
    for (const piece of splitDeltas(resolved.thinking)) delta({ reasoningContent: { text: piece } });
    delta({ reasoningContent: { signature } });
    stopBlock();
  }
  if (resolved.content !== null && resolved.content.length > 0) {
    for (const piece of splitDeltas(resolved.content)) delta({ text: piece });
    stopBlock();
  }
  resolved.toolCalls.forEach((call, callIndex) => {
    frame('contentBlockStart', { contentBlockIndex: index, start: { toolUse: { toolUseId: callIds[callIndex], name: call.name } } });
    for (const fragment of splitFragments(call.arguments)) delta({ toolUse: { input: fragment } });
    stopBlock();
  });
  frame('messageStop', { stopReason: reason });
  // Usage arrives after messageStop, in its own event.
  frame('metadata', { usage: usageFields(usage), metrics: { latencyMs } });

  const brokenPayload = firstHalf(JSON.stringify(firstDelta ?? { contentBlockIndex: 0, delta: { text: '' } }));
  return {
    type: 'stream',
    headers: { 'content-type': 'application/vnd.amazon.eventstream' },
    events: frames,
    final: [],
    done: undefined,
    broken: encodeEventStreamMessage(
      { ':event-type': 'contentBlockDelta', ':content-type': 'application/json', ':message-type': 'event' },
      encoder.encode(brokenPayload),
    ),
    error: (step) => {
      const fields = midStreamFields(step);
      return encodeEventStreamMessage(
        { ':exception-type': fields.type, ':content-type': 'application/json', ':message-type': 'exception' },
        encoder.encode(JSON.stringify({ message: fields.message })),
      );
    },
  };
}
