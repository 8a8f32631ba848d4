/**
 * Gemini `generateContent` answers to and from the Chat Completions pivot: finish reasons
 * (providers.md §7.2), usage (§7.3) and the answer bodies. Pure.
 * @module
 */
import type { ChatFinishReason, ChatResponse, ChatToolCall, ChatUsage } from '../chat/types.js';
import type { Translated } from '../codec.js';
import {
  field,
  isObject,
  numberField,
  stringField,
  type GeminiCandidate,
  type GeminiPart,
  type GeminiResponse,
  type GeminiUsageMetadata,
  type JsonObject,
} from './types.js';

/** Finish reasons that mean a filter stopped the answer. */
const FILTERED = new Set([
  'SAFETY',
  'RECITATION',
  'BLOCKLIST',
  'PROHIBITED_CONTENT',
  'SPII',
  'IMAGE_SAFETY',
  'IMAGE_PROHIBITED_CONTENT',
  'IMAGE_RECITATION',
  'IMAGE_OTHER',
]);

/** Finish reasons that mean the model failed: reported as errors, never as a finished answer (§7.2). */
const FAILED = new Set(['MALFORMED_FUNCTION_CALL', 'UNEXPECTED_TOOL_CALL', 'TOO_MANY_TOOL_CALLS']);

/**
 * Maps a Gemini `finishReason` to the pivot's.
 * @param reason Gemini's finish reason.
 * @param hasToolCalls Whether the candidate made function calls (Gemini says `STOP` for those too).
 * @returns The pivot reason, or `null` when the reason is a failure to report as an error.
 * @example
 * chatFinishReason('STOP', true); // 'tool_calls'
 */
export function chatFinishReason(reason: string, hasToolCalls: boolean): ChatFinishReason | null {
  if (FAILED.has(reason)) return null;
  if (reason === 'MAX_TOKENS') return 'length';
  if (FILTERED.has(reason)) return 'content_filter';
  // STOP, OTHER, LANGUAGE, NO_IMAGE, unknown reasons: a function call, when made, is why it stopped.
  return hasToolCalls ? 'tool_calls' : 'stop';
}

/**
 * Maps a pivot finish reason to Gemini's.
 * @param reason The pivot's finish reason.
 * @returns Gemini's reason (`STOP` for tool calls: Gemini has no separate one).
 */
export function geminiFinishReason(reason: ChatFinishReason): string {
  if (reason === 'length') return 'MAX_TOKENS';
  if (reason === 'content_filter') return 'SAFETY';
  return 'STOP';
}

/**
 * Reads Gemini's `usageMetadata` as Chat Completions usage (§7.3): the prompt includes cached
 * content, and completion tokens are the visible candidates plus the thoughts.
 * @param metadata The `usageMetadata` object.
 * @returns The usage, or `undefined` when `metadata` is not an object.
 */
export function chatUsage(metadata: unknown): ChatUsage | undefined {
  if (!isObject(metadata)) return undefined;
  const prompt = (numberField(metadata, 'promptTokenCount') ?? 0) + (numberField(metadata, 'toolUsePromptTokenCount') ?? 0);
  const thoughts = numberField(metadata, 'thoughtsTokenCount') ?? 0;
  const completion = (numberField(metadata, 'candidatesTokenCount') ?? 0) + thoughts;
  const usage: ChatUsage = { prompt_tokens: prompt, completion_tokens: completion, total_tokens: prompt + completion };
  const cached = numberField(metadata, 'cachedContentTokenCount');
  if (cached !== undefined && cached > 0) usage.prompt_tokens_details = { cached_tokens: cached };
  if (thoughts > 0) usage.completion_tokens_details = { reasoning_tokens: thoughts };
  return usage;
}

/**
 * Writes pivot usage as Gemini's `usageMetadata`.
 * @param usage The pivot usage.
 * @returns Counts where visible output excludes reasoning, which goes to `thoughtsTokenCount`.
 */
export function geminiUsage(usage: ChatUsage): GeminiUsageMetadata {
  const thoughts = usage.completion_tokens_details?.reasoning_tokens ?? 0;
  const metadata: GeminiUsageMetadata = {
    promptTokenCount: usage.prompt_tokens,
    candidatesTokenCount: Math.max(0, usage.completion_tokens - thoughts),
    totalTokenCount: usage.total_tokens,
  };
  const cached = usage.prompt_tokens_details?.cached_tokens ?? 0;
  if (cached > 0) metadata.cachedContentTokenCount = cached;
  if (thoughts > 0) metadata.thoughtsTokenCount = thoughts;
  return metadata;
}

/**
 * Seconds since the epoch of a Vertex `createTime` (RFC 3339), or 0 when absent: translation reads no clock.
 * @param body A response or stream event.
 */
export function createdSeconds(body: JsonObject): number {
  const time = stringField(body, 'createTime');
  const ms = time === undefined ? Number.NaN : Date.parse(time);
  return Number.isFinite(ms) ? Math.floor(ms / 1000) : 0;
}

/** What one candidate's parts say, in pivot terms. */
export interface CandidateParts {
  text: string;
  reasoning: string;
  toolCalls: ChatToolCall[];
}

/**
 * Reads a candidate's parts: text, thought summaries and whole function calls.
 * @param parts The candidate's `content.parts`.
 * @param nextCallId Returns the id of a call that came without one.
 */
export function readParts(parts: unknown, nextCallId: () => string): CandidateParts {
  const read: CandidateParts = { text: '', reasoning: '', toolCalls: [] };
  if (!Array.isArray(parts)) return read;
  for (const part of parts) {
    if (!isObject(part)) continue;
    const text = field(part, 'text');
    const call = field(part, 'functionCall');
    if (typeof text === 'string') {
      if (field(part, 'thought') === true) read.reasoning += text;
      else read.text += text;
    } else if (isObject(call) && typeof call['name'] === 'string') {
      const args = field(call, 'args');
      read.toolCalls.push({
        id: stringField(call, 'id') ?? nextCallId(),
        type: 'function',
        function: { name: call['name'], arguments: JSON.stringify(isObject(args) ? args : {}) },
      });
    }
    // Other parts (generated images, executable code) have no place in a chat answer.
  }
  return read;
}

function badGateway(message: string): Translated<ChatResponse> {
  return { ok: false, error: { status: 502, message } };
}

/**
 * Reads a Gemini `generateContent` answer into a Chat Completions response.
 * @param body The parsed JSON body of a 2xx answer.
 * @returns The pivot response (`id` is Gemini's `responseId`; `created` is 0 unless Vertex gives
 *   `createTime`), or a 502 saying what was wrong with the answer.
 * @example
 * readGeminiResponse({ candidates: [{ content: { parts: [{ text: 'Hi' }] }, finishReason: 'STOP' }] });
 */
export function readGeminiResponse(body: unknown): Translated<ChatResponse> {
  if (!isObject(body)) return badGateway('Gemini answered with something other than a JSON object');
  if (isObject(body['error'])) return badGateway(`Gemini answered an error with a success status: ${stringField(body['error'], 'message') ?? 'no message'}`);
  const response: ChatResponse = {
    id: stringField(body, 'responseId') ?? '',
    object: 'chat.completion',
    created: createdSeconds(body),
    model: stringField(body, 'modelVersion') ?? '',
    choices: [],
  };
  const usage = chatUsage(field(body, 'usageMetadata'));
  if (usage !== undefined) response.usage = usage;
  const candidates = field(body, 'candidates');
  if (!Array.isArray(candidates) || candidates.length === 0) {
    const feedback = field(body, 'promptFeedback');
    const blockReason = isObject(feedback) ? stringField(feedback, 'blockReason') : undefined;
    // A blocked prompt is a 200 with no candidates (§4.2): a filtered answer, not an empty success.
    if (blockReason === undefined) return badGateway('Gemini answered with no candidates and no block reason');
    response.choices.push({ index: 0, message: { role: 'assistant', content: null }, finish_reason: 'content_filter', logprobs: null });
    return { ok: true, value: response };
  }
  let calls = 0;
  const nextCallId = (): string => `call_${calls++}`;
  for (const [position, candidate] of candidates.entries()) {
    if (!isObject(candidate)) return badGateway(`Gemini candidate ${position} is not an object`);
    const content = field(candidate, 'content');
    const parts = readParts(isObject(content) ? field(content, 'parts') : undefined, nextCallId);
    const reason = stringField(candidate, 'finishReason') ?? 'STOP';
    const finish = chatFinishReason(reason, parts.toolCalls.length > 0);
    if (finish === null) {
      const detail = stringField(candidate, 'finishMessage');
      return badGateway(`Gemini could not finish its answer: ${reason}${detail === undefined ? '' : ` (${detail})`}`);
    }
    const message: ChatResponse['choices'][number]['message'] = {
      role: 'assistant',
      content: parts.text === '' && parts.toolCalls.length > 0 ? null : parts.text,
    };
    if (parts.toolCalls.length > 0) message.tool_calls = parts.toolCalls;
    if (parts.reasoning !== '') message.reasoning_content = parts.reasoning;
    response.choices.push({ index: numberField(candidate, 'index') ?? position, message, finish_reason: finish, logprobs: null });
  }
  return { ok: true, value: response };
}

/**
 * Turns pivot tool calls into Gemini `functionCall` parts, arguments parsed into objects.
 * @param calls The pivot's tool calls (whole).
 */
export function functionCallParts(calls: ReadonlyArray<{ id?: string; name: string; arguments: string }>): GeminiPart[] {
  return calls.map(({ id, name, arguments: text }) => {
    let args: unknown;
    try {
      args = JSON.parse(text === '' ? '{}' : text);
    } catch {
      // A model that wrote invalid JSON arguments made no usable call; Gemini has no way to say so.
      args = {};
    }
    const call: GeminiPart['functionCall'] = { name, args: isObject(args) ? args : {} };
    if (id !== undefined && id !== '') call.id = id;
    return { functionCall: call };
  });
}

/**
 * Writes a pivot answer as a Gemini `GenerateContentResponse`.
 * @param response The pivot answer.
 * @param model The model name to show the SDK, as `modelVersion`.
 * @example
 * writeGeminiResponse(chatResponse, 'gemini-2.5-flash').candidates?.[0]?.finishReason; // 'STOP'
 */
export function writeGeminiResponse(response: ChatResponse, model: string): GeminiResponse {
  const candidates: GeminiCandidate[] = response.choices.map((choice) => {
    const parts: GeminiPart[] = [];
    const { message } = choice;
    if (message.reasoning_content !== undefined && message.reasoning_content !== '') parts.push({ text: message.reasoning_content, thought: true });
    if (message.content !== null && message.content !== '') parts.push({ text: message.content });
    // Gemini has no refusal field: the refusal is what the model said.
    else if (typeof message.refusal === 'string' && message.refusal !== '') parts.push({ text: message.refusal });
    parts.push(...functionCallParts((message.tool_calls ?? []).map((call) => ({ id: call.id, name: call.function.name, arguments: call.function.arguments }))));
    // The SDK's chat session treats a content without parts as invalid and leaves it out of its history.
    if (parts.length === 0) parts.push({ text: '' });
    const candidate: GeminiCandidate = { content: { role: 'model', parts }, index: choice.index };
    if (choice.finish_reason !== null) candidate.finishReason = geminiFinishReason(choice.finish_reason);
    return candidate;
  });
  const body: GeminiResponse = { candidates };
  if (response.usage !== undefined) body.usageMetadata = geminiUsage(response.usage);
  body.modelVersion = model;
  body.responseId = response.id;
  return body;
}
