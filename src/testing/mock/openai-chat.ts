/**
 * The mock's `POST /v1/chat/completions`: a `chat.completion` object, or its SSE stream exactly as
 * OpenAI frames it (role chunk, content deltas, fragmented tool calls, finish chunk, optional usage
 * chunk, `[DONE]`).
 *
 * @module
 */

import type { MockReplyStep } from './script.js';
import {
  MOCK_CREATED_S,
  SSE_HEADERS,
  contentText,
  errorBody,
  estimateTokens,
  isRecord,
  json,
  splitDeltas,
  splitFragments,
  sseEvent,
  type Render,
  type RouteInput,
} from './render.js';
import {
  invalidJsonRender,
  missingModelRender,
  missingParameterRender,
  resolveReply,
  resolveUsage,
  type ReplyContent,
  type UsageNumbers,
} from './openai-common.js';

const SYSTEM_FINGERPRINT = 'fp_mock';

function chatUsage(usage: UsageNumbers): Record<string, unknown> {
  return {
    prompt_tokens: usage.input,
    completion_tokens: usage.output,
    total_tokens: usage.input + usage.output,
    prompt_tokens_details: { cached_tokens: usage.cachedInput, audio_tokens: 0 },
    completion_tokens_details: {
      reasoning_tokens: usage.reasoningOutput,
      audio_tokens: 0,
      accepted_prediction_tokens: 0,
      rejected_prediction_tokens: 0,
    },
  };
}

function lastUserText(messages: readonly unknown[]): string {
  for (let index = messages.length - 1; index >= 0; index -= 1) {
    const message = messages[index];
    if (isRecord(message) && message['role'] === 'user') return contentText(message['content']);
  }
  return '';
}

function promptTokens(messages: readonly unknown[]): number {
  // About OpenAI's framing: three tokens per message plus three to prime the reply.
  let total = 3;
  for (const message of messages) {
    total += 3 + (isRecord(message) ? estimateTokens(contentText(message['content'])) : 0);
  }
  return total;
}

function completionTokens(reply: ReplyContent): number {
  let total = estimateTokens(reply.content ?? '');
  for (const call of reply.toolCalls) total += estimateTokens(call.name) + estimateTokens(call.arguments);
  return total;
}

/**
 * Answers a Chat Completions request, scripted or by echoing the last user message.
 * @param input - the request
 * @param reply - the scripted reply, if any
 */
export function renderChat(input: RouteInput, reply: MockReplyStep | undefined): Render {
  const body = input.body;
  if (!isRecord(body)) return invalidJsonRender();
  if (typeof body['model'] !== 'string') return missingModelRender();
  const messages = body['messages'];
  if (!Array.isArray(messages)) return missingParameterRender('messages');

  const resolved = resolveReply(reply, `Echo: ${lastUserText(messages)}`, body['model']);
  const usage = resolveUsage(reply, promptTokens(messages), completionTokens(resolved));
  const id = `chatcmpl-mock${input.requestNumber}`;
  const callIds = resolved.toolCalls.map((call, index) => call.id ?? `call_mock${input.requestNumber}_${index}`);

  if (body['stream'] !== true) {
    const message: Record<string, unknown> = {
      role: 'assistant',
      content: resolved.content,
      refusal: null,
      annotations: [],
    };
    if (resolved.toolCalls.length > 0) {
      message['tool_calls'] = resolved.toolCalls.map((call, index) => ({
        id: callIds[index],
        type: 'function',
        function: { name: call.name, arguments: call.arguments },
      }));
    }
    return json(200, {
      id,
      object: 'chat.completion',
      created: MOCK_CREATED_S,
      model: resolved.model,
      choices: [{ index: 0, message, logprobs: null, finish_reason: resolved.finishReason }],
      usage: chatUsage(usage),
      service_tier: 'default',
      system_fingerprint: SYSTEM_FINGERPRINT,
    });
  }

  const streamOptions = body['stream_options'];
  const includeUsage = isRecord(streamOptions) && streamOptions['include_usage'] === true;
  const chunk = (choices: unknown[], chunkUsage: unknown = null): string => {
    const value: Record<string, unknown> = {
      id,
      object: 'chat.completion.chunk',
      created: MOCK_CREATED_S,
      model: resolved.model,
      service_tier: 'default',
      system_fingerprint: SYSTEM_FINGERPRINT,
      choices,
    };
    // OpenAI sends `usage` on every chunk only when include_usage asked for it.
    if (includeUsage) value['usage'] = chunkUsage;
    return JSON.stringify(value);
  };
  const delta = (fields: Record<string, unknown>, finishReason: string | null = null): string =>
    chunk([{ index: 0, delta: fields, logprobs: null, finish_reason: finishReason }]);

  const payloads: string[] = [delta({ role: 'assistant', content: '', refusal: null })];
  for (const piece of splitDeltas(resolved.content ?? '')) payloads.push(delta({ content: piece }));
  resolved.toolCalls.forEach((call, index) => {
    payloads.push(
      delta({
        tool_calls: [{ index, id: callIds[index], type: 'function', function: { name: call.name, arguments: '' } }],
      }),
    );
    for (const fragment of splitFragments(call.arguments)) {
      payloads.push(delta({ tool_calls: [{ index, function: { arguments: fragment } }] }));
    }
  });
  payloads.push(delta({}, resolved.finishReason));
  if (includeUsage) payloads.push(chunk([], chatUsage(usage)));

  const first = payloads[1] ?? payloads[0] ?? '{}';
  return {
    type: 'sse',
    headers: SSE_HEADERS,
    events: payloads.map((payload) => sseEvent(payload)),
    final: [],
    done: sseEvent('[DONE]'),
    broken: sseEvent(first.slice(0, Math.floor(first.length / 2))),
    error: (fields) => sseEvent(JSON.stringify(errorBody(fields))),
  };
}
