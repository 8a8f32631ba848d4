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
  resolveReply,
  resolveUsage,
  type Render,
  type ReplyContent,
  type RouteInput,
  type UsageNumbers,
} from './render.js';
import {
  invalidJsonRender,
  missingModelRender,
  missingParameterRender,
  midStreamErrorFields,
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

const SAFE = { filtered: false, severity: 'safe' };
const NOT_DETECTED = { filtered: false, detected: false };

/** Azure's content-filter verdicts on the prompt: everything safe. */
const AZURE_PROMPT_FILTER_RESULTS = [
  {
    prompt_index: 0,
    content_filter_results: { hate: SAFE, jailbreak: NOT_DETECTED, self_harm: SAFE, sexual: SAFE, violence: SAFE },
  },
];

/** Azure's content-filter verdicts on a choice: everything safe. */
const AZURE_CHOICE_FILTER_RESULTS = {
  hate: SAFE,
  protected_material_code: NOT_DETECTED,
  protected_material_text: NOT_DETECTED,
  self_harm: SAFE,
  sexual: SAFE,
  violence: SAFE,
};

/**
 * Answers a Chat Completions request, scripted or by echoing the last user message; on Azure routes the
 * deployment is the model and the answer carries Azure's content-filter results (a first stream chunk
 * with `choices: []`).
 * @param input - the request
 * @param reply - the scripted reply, if any
 */
export function renderChat(input: RouteInput, reply: MockReplyStep | undefined): Render {
  const body = input.body;
  if (!isRecord(body)) return invalidJsonRender();
  const model = input.route.pathModel ?? body['model'];
  if (typeof model !== 'string') return missingModelRender();
  const messages = body['messages'];
  if (!Array.isArray(messages)) return missingParameterRender('messages');
  const isAzure = input.route.dialect === 'azure';

  const resolved = resolveReply(reply, `Echo: ${lastUserText(messages)}`, model);
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
    const choice: Record<string, unknown> = { index: 0, message, logprobs: null, finish_reason: resolved.finishReason };
    if (isAzure) choice['content_filter_results'] = AZURE_CHOICE_FILTER_RESULTS;
    const completion: Record<string, unknown> = {
      id,
      object: 'chat.completion',
      created: MOCK_CREATED_S,
      model: resolved.model,
      choices: [choice],
      usage: chatUsage(usage),
      service_tier: 'default',
      system_fingerprint: SYSTEM_FINGERPRINT,
    };
    if (isAzure) completion['prompt_filter_results'] = AZURE_PROMPT_FILTER_RESULTS;
    return json(200, completion);
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

  const payloads: string[] = [];
  // Azure opens every stream with a filter-only chunk: empty id, model and choices.
  if (isAzure) {
    payloads.push(
      JSON.stringify({ choices: [], created: 0, id: '', model: '', object: '', prompt_filter_results: AZURE_PROMPT_FILTER_RESULTS }),
    );
  }
  payloads.push(delta({ role: 'assistant', content: '', refusal: null }));
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

  const first = payloads[isAzure ? 2 : 1] ?? payloads[0] ?? '{}';
  return {
    type: 'stream',
    headers: SSE_HEADERS,
    events: payloads.map((payload) => sseEvent(payload)),
    final: [],
    done: sseEvent('[DONE]'),
    broken: sseEvent(first.slice(0, Math.floor(first.length / 2))),
    error: (step) => sseEvent(JSON.stringify(errorBody(midStreamErrorFields(step)))),
  };
}
