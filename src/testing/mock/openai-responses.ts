/**
 * The mock's `POST /v1/responses`: a Responses API `response` object, or its SSE stream with
 * `event:` and `data:` lines (`response.created` … `response.completed`), no `[DONE]`.
 *
 * @module
 */

import type { MockReplyStep } from './script.js';
import {
  MOCK_CREATED_S,
  SSE_HEADERS,
  contentText,
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
  midStreamErrorFields,
} from './openai-common.js';

function inputItems(input: unknown): readonly unknown[] {
  if (typeof input === 'string') return [{ role: 'user', content: input }];
  return Array.isArray(input) ? input : [];
}

function lastUserText(items: readonly unknown[]): string {
  for (let index = items.length - 1; index >= 0; index -= 1) {
    const item = items[index];
    if (isRecord(item) && item['role'] === 'user') return contentText(item['content']);
  }
  return '';
}

function inputTokens(items: readonly unknown[], instructions: unknown): number {
  let total = typeof instructions === 'string' ? 3 + estimateTokens(instructions) : 0;
  for (const item of items) {
    if (!isRecord(item)) continue;
    const text = contentText(item['content']) + (typeof item['output'] === 'string' ? item['output'] : '');
    total += 3 + estimateTokens(text);
  }
  return total;
}

function outputTokens(reply: ReplyContent): number {
  let total = estimateTokens(reply.content ?? '');
  for (const call of reply.toolCalls) total += estimateTokens(call.name) + estimateTokens(call.arguments);
  return total;
}

function responsesUsage(usage: UsageNumbers): Record<string, unknown> {
  return {
    input_tokens: usage.input,
    input_tokens_details: { cached_tokens: usage.cachedInput },
    output_tokens: usage.output,
    output_tokens_details: { reasoning_tokens: usage.reasoningOutput },
    total_tokens: usage.input + usage.output,
  };
}

function field(body: Record<string, unknown>, name: string, fallback: unknown): unknown {
  return body[name] === undefined ? fallback : body[name];
}

/**
 * Answers a Responses API request, scripted or by echoing the last user input.
 * @param input - the request
 * @param reply - the scripted reply, if any
 */
export function renderResponses(input: RouteInput, reply: MockReplyStep | undefined): Render {
  const body = input.body;
  if (!isRecord(body)) return invalidJsonRender();
  const model = input.route.pathModel ?? body['model'];
  if (typeof model !== 'string') return missingModelRender();

  const items = inputItems(body['input']);
  const resolved = resolveReply(reply, `Echo: ${lastUserText(items)}`, model);
  const usage = responsesUsage(resolveUsage(reply, inputTokens(items, body['instructions']), outputTokens(resolved)));
  const number = input.requestNumber;
  const incompleteReason =
    resolved.finishReason === 'length' ? 'max_output_tokens' : resolved.finishReason === 'content_filter' ? 'content_filter' : null;
  const finalStatus = incompleteReason === null ? 'completed' : 'incomplete';
  const messageId = `msg_mock${number}`;

  const responseObject = (status: string, output: unknown[], withUsage: boolean): Record<string, unknown> => ({
    id: `resp_mock${number}`,
    object: 'response',
    created_at: MOCK_CREATED_S,
    status,
    background: false,
    error: null,
    incomplete_details: status === 'incomplete' ? { reason: incompleteReason } : null,
    instructions: field(body, 'instructions', null),
    max_output_tokens: field(body, 'max_output_tokens', null),
    metadata: field(body, 'metadata', {}),
    model: resolved.model,
    output,
    parallel_tool_calls: field(body, 'parallel_tool_calls', true),
    previous_response_id: field(body, 'previous_response_id', null),
    reasoning: field(body, 'reasoning', { effort: null, summary: null }),
    service_tier: 'default',
    store: field(body, 'store', true),
    temperature: field(body, 'temperature', 1),
    text: field(body, 'text', { format: { type: 'text' } }),
    tool_choice: field(body, 'tool_choice', 'auto'),
    tools: field(body, 'tools', []),
    top_p: field(body, 'top_p', 1),
    truncation: field(body, 'truncation', 'disabled'),
    usage: withUsage ? usage : null,
    user: field(body, 'user', null),
  });

  const textPart = (text: string): Record<string, unknown> => ({ type: 'output_text', annotations: [], logprobs: [], text });
  const messageItem = (status: string, content: unknown[]): Record<string, unknown> => ({
    id: messageId,
    type: 'message',
    status,
    content,
    role: 'assistant',
  });
  const callItem = (index: number, status: string, args: string): Record<string, unknown> => {
    const call = resolved.toolCalls[index];
    return {
      id: `fc_mock${number}_${index}`,
      type: 'function_call',
      status,
      arguments: args,
      call_id: call?.id ?? `call_mock${number}_${index}`,
      name: call?.name ?? '',
    };
  };

  const finalOutput: unknown[] = [];
  if (resolved.content !== null) finalOutput.push(messageItem(finalStatus, [textPart(resolved.content)]));
  resolved.toolCalls.forEach((call, index) => finalOutput.push(callItem(index, 'completed', call.arguments)));

  if (body['stream'] !== true) return json(200, responseObject(finalStatus, finalOutput, true));

  let sequence = 0;
  let firstDelta: string | undefined;
  const event = (type: string, fields: Record<string, unknown>): string => {
    const data = JSON.stringify({ type, sequence_number: sequence++, ...fields });
    if (type === 'response.output_text.delta') firstDelta ??= data;
    return sseEvent(data, type);
  };

  const events: string[] = [
    event('response.created', { response: responseObject('in_progress', [], false) }),
    event('response.in_progress', { response: responseObject('in_progress', [], false) }),
  ];
  let outputIndex = 0;
  if (resolved.content !== null) {
    const text = resolved.content;
    const position = { item_id: messageId, output_index: outputIndex, content_index: 0 };
    events.push(event('response.output_item.added', { output_index: outputIndex, item: messageItem('in_progress', []) }));
    events.push(event('response.content_part.added', { ...position, part: textPart('') }));
    for (const piece of splitDeltas(text)) {
      events.push(event('response.output_text.delta', { ...position, delta: piece, logprobs: [] }));
    }
    events.push(event('response.output_text.done', { ...position, text, logprobs: [] }));
    events.push(event('response.content_part.done', { ...position, part: textPart(text) }));
    events.push(event('response.output_item.done', { output_index: outputIndex, item: messageItem(finalStatus, [textPart(text)]) }));
    outputIndex += 1;
  }
  resolved.toolCalls.forEach((call, index) => {
    const itemId = `fc_mock${number}_${index}`;
    events.push(event('response.output_item.added', { output_index: outputIndex, item: callItem(index, 'in_progress', '') }));
    for (const fragment of splitFragments(call.arguments)) {
      events.push(event('response.function_call_arguments.delta', { item_id: itemId, output_index: outputIndex, delta: fragment }));
    }
    events.push(
      event('response.function_call_arguments.done', {
        item_id: itemId,
        output_index: outputIndex,
        name: call.name,
        arguments: call.arguments,
      }),
    );
    events.push(event('response.output_item.done', { output_index: outputIndex, item: callItem(index, 'completed', call.arguments) }));
    outputIndex += 1;
  });
  const terminalType = finalStatus === 'completed' ? 'response.completed' : 'response.incomplete';
  const final = [event(terminalType, { response: responseObject(finalStatus, finalOutput, true) })];

  const broken = firstDelta ?? JSON.stringify({ type: 'response.output_text.delta', sequence_number: 2, delta: '' });
  return {
    type: 'stream',
    headers: SSE_HEADERS,
    events,
    final,
    done: undefined,
    broken: sseEvent(broken.slice(0, Math.floor(broken.length / 2)), 'response.output_text.delta'),
    error: (step, sequenceNumber) => {
      const fields = midStreamErrorFields(step);
      return sseEvent(
        JSON.stringify({ type: 'error', code: fields.code, message: fields.message, param: fields.param, sequence_number: sequenceNumber }),
        'error',
      );
    },
  };
}
