/**
 * Anthropic Messages requests to and from the Chat Completions pivot (providers.md §7.1). Pure.
 *
 * Reading (an Anthropic SDK calls another provider) keeps everything the pivot can carry and refuses,
 * with a 400 naming the block or field, what it cannot: server tools, MCP servers, containers, Files
 * API sources. Writing (a pivot request goes to Anthropic) does the reverse and refuses OpenAI features
 * that would change the answer (`n`, `logprobs`, audio, predictions).
 * @module
 */
import type {
  ChatContentPart,
  ChatMessage,
  ChatRequest,
  ChatTextPart,
  ChatTool,
  ChatToolCall,
  ChatToolChoice,
} from '../chat/types.js';
import type { OutboundOptions, Translated } from '../codec.js';
import {
  type AnthropicImageSource,
  type AnthropicMessage,
  type AnthropicRequest,
  type AnthropicRequestBlock,
  type AnthropicTextBlock,
  type AnthropicTool,
  type AnthropicToolChoice,
  type AnthropicToolResultBlock,
  type JsonObject,
  isObject,
  reject,
  translate,
} from './types.js';

/** Reasoning effort ↔ thinking budget (providers.md §7.1: gateway policy, not a provider fact). */
export const THINKING_BUDGETS = { minimal: 1024, low: 2048, medium: 8192, high: 24576 } as const;

/** A reasoning effort the budget table knows. */
export type ThinkingEffort = keyof typeof THINKING_BUDGETS;

/**
 * Picks the effort whose budget is nearest to a thinking budget (ties go to the smaller effort).
 * @param budgetTokens Anthropic's `thinking.budget_tokens`.
 * @returns `minimal`, `low`, `medium` or `high`.
 * @example
 * effortForBudget(16000); // 'medium' (8192 is 7808 away, 24576 is 8576 away)
 */
export function effortForBudget(budgetTokens: number): ThinkingEffort {
  let best: ThinkingEffort = 'minimal';
  for (const effort of Object.keys(THINKING_BUDGETS) as ThinkingEffort[]) {
    if (Math.abs(THINKING_BUDGETS[effort] - budgetTokens) < Math.abs(THINKING_BUDGETS[best] - budgetTokens)) best = effort;
  }
  return best;
}

/**
 * The thinking budget for a reasoning effort.
 * @param effort The pivot's `reasoning_effort`.
 * @returns Tokens, `null` for `none` (no thinking), `undefined` for an effort Sluice does not know.
 */
export function budgetForEffort(effort: string): number | null | undefined {
  if (effort === 'none') return null;
  if (Object.hasOwn(THINKING_BUDGETS, effort)) return THINKING_BUDGETS[effort as ThinkingEffort];
  // Newer OpenAI efforts above `high`: the table's largest budget, rather than refusing them.
  if (effort === 'xhigh' || effort === 'max') return THINKING_BUDGETS.high;
  return undefined;
}

/** Put before a failed tool's output, since a Chat `tool` message has no error flag. */
export const TOOL_ERROR_PREFIX = 'Error: ';

/** Added to `system` for `response_format: json_object`, which Anthropic has no switch for. */
export const JSON_OBJECT_INSTRUCTION = 'Respond with a single valid JSON object and nothing else: no prose, no code fences.';

// Anthropic-only request fields that change what the model does; another provider cannot honour them.
const ANTHROPIC_ONLY = ['container', 'mcp_servers', 'context_management'] as const;

// ---------------------------------------------------------------------------------------------------
// Anthropic -> pivot (client side)
// ---------------------------------------------------------------------------------------------------

/**
 * Reads an Anthropic Messages request into the pivot.
 *
 * Carried: `system` (first), text, images, base64 PDFs (as `file` parts), tool calls and results
 * (split into `tool` messages, in order), thinking (as `reasoning_content`, signature dropped: only
 * Anthropic can check it), `max_tokens` (as `max_completion_tokens`), tools, `tool_choice`, sampling,
 * stop sequences, `thinking` (as the nearest `reasoning_effort`), `output_config`, `metadata.user_id`
 * (as `user`), `stream`.
 * A `tool_result` with `is_error` gets {@link TOOL_ERROR_PREFIX} before its text (unless the text
 * already starts with "error"), since a Chat `tool` message has no error flag; its text blocks are
 * joined with newlines.
 * Dropped because they are hints that do not change the answer: `cache_control`, `citations` on text
 * the client sends back, `redacted_thinking` (encrypted for Anthropic alone), `service_tier`,
 * `inference_geo`, `speed`, `diagnostics`. Unknown top-level fields are dropped too.
 * @param body The parsed request body.
 * @returns The pivot request, or a 400 naming the field.
 * @example
 * readAnthropicRequest({ model: 'claude-sonnet-4-5', max_tokens: 1024, messages: [{ role: 'user', content: 'Hi' }] });
 */
export function readAnthropicRequest(body: unknown): Translated<ChatRequest> {
  return translate(() => readRequest(body));
}

function readRequest(body: unknown): ChatRequest {
  if (!isObject(body)) reject('the request body must be a JSON object');
  const model = body['model'];
  if (typeof model !== 'string' || model === '') reject('model is required', 'model');
  const maxTokens = body['max_tokens'];
  if (maxTokens === undefined) reject('max_tokens is required: the Anthropic Messages API requires it', 'max_tokens');
  if (!isPositiveInteger(maxTokens)) reject('max_tokens must be a positive integer', 'max_tokens');
  const messages = body['messages'];
  if (!Array.isArray(messages)) reject('messages must be an array', 'messages');
  for (const field of ANTHROPIC_ONLY) {
    if (body[field] !== undefined) reject(`${field} is an Anthropic-only feature and cannot be sent to another provider`, field);
  }

  const out: ChatMessage[] = [];
  if (body['system'] !== undefined) out.push({ role: 'system', content: readSystem(body['system'], 'system') });
  messages.forEach((message, index) => readMessage(message, `messages[${index}]`, out));

  // Anthropic's max_tokens counts thinking too, as max_completion_tokens counts reasoning (and OpenAI
  // reasoning models refuse the older max_tokens).
  const request: ChatRequest = { model, messages: out, max_completion_tokens: maxTokens };
  const tools = body['tools'];
  if (tools !== undefined) {
    if (!Array.isArray(tools)) reject('tools must be an array', 'tools');
    request.tools = tools.map((tool, index) => readTool(tool, `tools[${index}]`));
  }
  if (body['tool_choice'] !== undefined) readToolChoice(body['tool_choice'], request);
  const stop = body['stop_sequences'];
  if (stop !== undefined) {
    if (!Array.isArray(stop) || !stop.every((item) => typeof item === 'string')) reject('stop_sequences must be an array of strings', 'stop_sequences');
    if (stop.length > 0) request.stop = stop;
  }
  for (const key of ['temperature', 'top_p', 'top_k'] as const) {
    const value = body[key];
    if (value === undefined || value === null) continue;
    if (typeof value !== 'number' || !Number.isFinite(value)) reject(`${key} must be a number`, key);
    request[key] = value;
  }
  readThinking(body['thinking'], request);
  readOutputConfig(body['output_config'], request);
  const metadata = body['metadata'];
  if (isObject(metadata) && typeof metadata['user_id'] === 'string') request.user = metadata['user_id'];
  if (body['stream'] === true) {
    request.stream = true;
    // Anthropic streams always report usage; the encoder needs it for `message_delta`.
    request.stream_options = { include_usage: true };
  } else if (body['stream'] === false) {
    request.stream = false;
  }
  return request;
}

function isPositiveInteger(value: unknown): value is number {
  return typeof value === 'number' && Number.isInteger(value) && value > 0;
}

function requireString(value: unknown, path: string): string {
  if (typeof value !== 'string') reject(`${path} must be a string`, path);
  return value;
}

function readSystem(system: unknown, path: string): string | ChatTextPart[] {
  if (typeof system === 'string') return system;
  if (!Array.isArray(system)) reject(`${path} must be a string or an array of text blocks`, path);
  // Kept as parts, not joined, so block boundaries survive the round trip.
  return system.map((block, index) => {
    const at = `${path}[${index}]`;
    if (!isObject(block) || block['type'] !== 'text') reject(`${at}: only text blocks are allowed in a system prompt`, at);
    return { type: 'text', text: requireString(block['text'], `${at}.text`) };
  });
}

function readMessage(message: unknown, path: string, out: ChatMessage[]): void {
  if (!isObject(message)) reject(`${path} must be an object`, path);
  const role = message['role'];
  const content = message['content'];
  // Newer API versions accept system turns inside `messages`; the pivot keeps them in place.
  if (role === 'system') {
    out.push({ role: 'system', content: readSystem(content, `${path}.content`) });
    return;
  }
  if (role !== 'user' && role !== 'assistant') reject(`${path}.role must be 'user' or 'assistant'`, `${path}.role`);
  if (typeof content === 'string') {
    out.push({ role, content });
    return;
  }
  if (!Array.isArray(content)) reject(`${path}.content must be a string or an array of content blocks`, `${path}.content`);
  if (role === 'user') readUserBlocks(content, `${path}.content`, out);
  else out.push(readAssistantBlocks(content, `${path}.content`));
}

function blockType(block: unknown, path: string): { block: JsonObject; type: string } {
  if (!isObject(block) || typeof block['type'] !== 'string') reject(`${path} must be a content block with a type`, path);
  return { block, type: block['type'] };
}

function unsupportedBlock(type: string, path: string): never {
  reject(`${path}: content block type '${type}' cannot be sent to another provider`, path);
}

function readUserBlocks(blocks: unknown[], path: string, out: ChatMessage[]): void {
  let parts: ChatContentPart[] = [];
  const flush = (): void => {
    if (parts.length > 0) out.push({ role: 'user', content: parts });
    parts = [];
  };
  blocks.forEach((item, index) => {
    const at = `${path}[${index}]`;
    const { block, type } = blockType(item, at);
    switch (type) {
      case 'text':
        parts.push({ type: 'text', text: requireString(block['text'], `${at}.text`) });
        break;
      case 'image':
        parts.push({ type: 'image_url', image_url: { url: imageUrl(block['source'], `${at}.source`) } });
        break;
      case 'document':
        parts.push(readDocument(block, at));
        break;
      case 'tool_result':
        // Tool results become `tool` messages; text before them stays before them.
        flush();
        out.push(readToolResult(block, at));
        break;
      default:
        unsupportedBlock(type, at);
    }
  });
  flush();
}

function imageUrl(source: unknown, path: string): string {
  if (!isObject(source)) reject(`${path} must be an object`, path);
  if (source['type'] === 'base64') {
    const mediaType = requireString(source['media_type'], `${path}.media_type`);
    return `data:${mediaType};base64,${requireString(source['data'], `${path}.data`)}`;
  }
  if (source['type'] === 'url') return requireString(source['url'], `${path}.url`);
  reject(`${path}: image source type '${String(source['type'])}' (Anthropic Files API) cannot be sent to another provider`, `${path}.type`);
}

function readDocument(block: JsonObject, path: string): ChatContentPart {
  const source = block['source'];
  // A base64 PDF is what OpenAI's `file` part carries; URL, text and Files API sources have no pivot form.
  if (!isObject(source) || source['type'] !== 'base64' || source['media_type'] !== 'application/pdf') {
    reject(`${path}: only base64 PDF documents can be sent to another provider`, `${path}.source`);
  }
  const title = block['title'];
  return {
    type: 'file',
    file: {
      filename: typeof title === 'string' && title !== '' ? title : 'document.pdf',
      file_data: `data:application/pdf;base64,${requireString(source['data'], `${path}.source.data`)}`,
    },
  };
}

function readToolResult(block: JsonObject, path: string): ChatMessage {
  const id = requireString(block['tool_use_id'], `${path}.tool_use_id`);
  const content = block['content'];
  let text = '';
  if (typeof content === 'string') {
    text = content;
  } else if (Array.isArray(content)) {
    const texts = content.map((item, index) => {
      const at = `${path}.content[${index}]`;
      const { block: inner, type } = blockType(item, at);
      if (type !== 'text') reject(`${at}: a '${type}' block inside a tool_result cannot be expressed as a Chat Completions tool message`, at);
      return requireString(inner['text'], `${at}.text`);
    });
    text = texts.join('\n');
  } else if (content !== undefined) {
    reject(`${path}.content must be a string or an array of blocks`, `${path}.content`);
  }
  // A `tool` message has no error flag: say so in the text, unless the text already does.
  if (block['is_error'] === true && !/^error\b/i.test(text)) text = `${TOOL_ERROR_PREFIX}${text}`;
  return { role: 'tool', tool_call_id: id, content: text };
}

function readAssistantBlocks(blocks: unknown[], path: string): ChatMessage {
  let text = '';
  let hasText = false;
  let reasoning = '';
  const toolCalls: ChatToolCall[] = [];
  blocks.forEach((item, index) => {
    const at = `${path}[${index}]`;
    const { block, type } = blockType(item, at);
    switch (type) {
      case 'text':
        // Joined without separators, as streamed text deltas are.
        text += requireString(block['text'], `${at}.text`);
        hasText = true;
        break;
      case 'tool_use': {
        const input = block['input'] ?? {};
        if (!isObject(input)) reject(`${at}.input must be a JSON object`, `${at}.input`);
        toolCalls.push({
          id: requireString(block['id'], `${at}.id`),
          type: 'function',
          function: { name: requireString(block['name'], `${at}.name`), arguments: JSON.stringify(input) },
        });
        break;
      }
      case 'thinking':
        reasoning += requireString(block['thinking'], `${at}.thinking`);
        break;
      case 'redacted_thinking':
        // Encrypted for Anthropic alone: another provider can do nothing with it.
        break;
      default:
        unsupportedBlock(type, at);
    }
  });
  const message: ChatMessage = { role: 'assistant', content: hasText ? text : toolCalls.length > 0 ? null : '' };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning !== '') message.reasoning_content = reasoning;
  return message;
}

function readTool(tool: unknown, path: string): ChatTool {
  if (!isObject(tool)) reject(`${path} must be an object`, path);
  const type = tool['type'];
  if (type !== undefined && type !== null && type !== 'custom') {
    reject(`${path}: server tool '${String(type)}' runs inside Anthropic and cannot be sent to another provider`, `${path}.type`);
  }
  const name = requireString(tool['name'], `${path}.name`);
  const schema = tool['input_schema'];
  if (!isObject(schema) || schema['type'] !== 'object') {
    reject(`${path}.input_schema must be a JSON object schema with type 'object'`, `${path}.input_schema`);
  }
  const definition: ChatTool['function'] = { name, parameters: schema };
  if (typeof tool['description'] === 'string') definition.description = tool['description'];
  if (typeof tool['strict'] === 'boolean') definition.strict = tool['strict'];
  return { type: 'function', function: definition };
}

function readToolChoice(choice: unknown, request: ChatRequest): void {
  if (!isObject(choice)) reject('tool_choice must be an object', 'tool_choice');
  switch (choice['type']) {
    case 'auto':
      request.tool_choice = 'auto';
      break;
    case 'any':
      request.tool_choice = 'required';
      break;
    case 'none':
      request.tool_choice = 'none';
      break;
    case 'tool':
      request.tool_choice = { type: 'function', function: { name: requireString(choice['name'], 'tool_choice.name') } };
      break;
    default:
      reject(`tool_choice.type '${String(choice['type'])}' is not one of auto, any, tool, none`, 'tool_choice.type');
  }
  if (choice['disable_parallel_tool_use'] === true) request.parallel_tool_calls = false;
}

function readThinking(thinking: unknown, request: ChatRequest): void {
  if (thinking === undefined || thinking === null) return;
  if (!isObject(thinking)) reject('thinking must be an object', 'thinking');
  if (thinking['type'] === 'enabled') {
    const budget = thinking['budget_tokens'];
    if (!isPositiveInteger(budget)) reject('thinking.budget_tokens must be a positive integer', 'thinking.budget_tokens');
    request.reasoning_effort = effortForBudget(budget);
    return;
  }
  // `disabled` and `adaptive` (the model decides) have no effort to name: the target's default applies.
  if (thinking['type'] !== 'disabled' && thinking['type'] !== 'adaptive') {
    reject(`thinking.type '${String(thinking['type'])}' is not one of enabled, disabled, adaptive`, 'thinking.type');
  }
}

function readOutputConfig(config: unknown, request: ChatRequest): void {
  if (config === undefined || config === null) return;
  if (!isObject(config)) reject('output_config must be an object', 'output_config');
  const format = config['format'];
  if (format !== undefined && format !== null) {
    if (!isObject(format) || format['type'] !== 'json_schema' || !isObject(format['schema'])) {
      reject("output_config.format must be { type: 'json_schema', schema: {...} }", 'output_config.format');
    }
    // `strict` is left unset: OpenAI's strict mode adds rules (every property required) Anthropic does not have.
    request.response_format = { type: 'json_schema', json_schema: { name: 'response', schema: format['schema'] } };
  }
  const effort = config['effort'];
  if (typeof effort === 'string' && request.reasoning_effort === undefined) request.reasoning_effort = effort;
}

// ---------------------------------------------------------------------------------------------------
// pivot -> Anthropic (provider side)
// ---------------------------------------------------------------------------------------------------

// Pivot fields Anthropic cannot express but that only hint, tune sampling or bookkeep; they are
// dropped: seed, frequency_penalty, presence_penalty (sampling nudges), store, metadata (OpenAI-side
// storage), service_tier (OpenAI tiers mean nothing to Anthropic), prompt_cache_key (Anthropic caches
// per block), verbosity (a style hint), stream_options (Anthropic streams always carry usage).
// Everything else the pivot holds is either translated below or refused.

/**
 * Writes a pivot request as an Anthropic Messages request.
 *
 * `system`/`developer` messages anywhere become the top-level `system` in order; tool messages become
 * one user turn of `tool_result` blocks; consecutive same-role turns are merged with tool results
 * first. `temperature` is clamped to Anthropic's [0, 1] (OpenAI allows up to 2). `json_object` becomes
 * a system instruction ({@link JSON_OBJECT_INSTRUCTION}); `json_schema` becomes
 * `output_config.format`. `reasoning_effort` becomes a thinking budget, and `max_tokens` grows by the
 * budget when it would not exceed it. `reasoning_content` on assistant turns is dropped: Anthropic
 * only accepts thinking it signed.
 * @param request The pivot request.
 * @param options The target's model id, name, and the `max_tokens` to use when none was given.
 * @returns The Anthropic request, or a 400 naming the feature and the provider.
 * @example
 * writeAnthropicRequest(
 *   { model: 'smart', messages: [{ role: 'user', content: 'Hi' }] },
 *   { model: 'claude-sonnet-4-5', provider: 'claude', defaultMaxTokens: 4096 },
 * );
 */
export function writeAnthropicRequest(request: ChatRequest, options: OutboundOptions): Translated<AnthropicRequest> {
  return translate(() => writeRequest(request, options));
}

function writeRequest(request: ChatRequest, options: OutboundOptions): AnthropicRequest {
  const target = `provider '${options.provider}' (anthropic)`;
  refuseUnsupported(request, target);

  const system: AnthropicTextBlock[] = [];
  const turns: AnthropicMessage[] = [];
  request.messages.forEach((message, index) => writeMessage(message, `messages[${index}]`, target, system, turns));
  const format = request.response_format;
  const schema = format?.type === 'json_schema' && isObject(format.json_schema) ? format.json_schema.schema : undefined;
  // A json_schema without a schema asks for JSON and nothing more, like json_object.
  if (format?.type === 'json_object' || (format?.type === 'json_schema' && !isObject(schema))) {
    system.push({ type: 'text', text: JSON_OBJECT_INSTRUCTION });
  }

  let maxTokens = request.max_completion_tokens ?? request.max_tokens ?? options.defaultMaxTokens;
  const out: AnthropicRequest = { model: options.model, max_tokens: maxTokens, messages: turns.map(collapseTurn) };
  if (system.length > 0) out.system = system.length === 1 && system[0] !== undefined ? system[0].text : system;

  if (request.tools !== undefined && request.tools.length > 0) {
    out.tools = request.tools.map((tool, index) => writeTool(tool, `tools[${index}]`, target));
    const choice = writeToolChoice(request.tool_choice, target);
    if (choice !== undefined) out.tool_choice = choice;
    if (request.parallel_tool_calls === false) {
      const current = out.tool_choice ?? { type: 'auto' };
      if (current.type !== 'none') out.tool_choice = { ...current, disable_parallel_tool_use: true };
    }
  }
  // Without tools a tool_choice means nothing, and Anthropic would refuse it: it is not sent.

  const stop = request.stop;
  if (typeof stop === 'string') out.stop_sequences = [stop];
  else if (Array.isArray(stop) && stop.length > 0) out.stop_sequences = [...stop];
  if (typeof request.temperature === 'number') out.temperature = Math.min(1, Math.max(0, request.temperature));
  if (typeof request.top_p === 'number') out.top_p = request.top_p;
  if (typeof request.top_k === 'number') out.top_k = request.top_k;

  if (isObject(schema)) out.output_config = { format: { type: 'json_schema', schema } };

  if (request.reasoning_effort !== undefined) {
    const budget = budgetForEffort(request.reasoning_effort);
    if (budget === undefined) reject(`reasoning_effort '${request.reasoning_effort}' is not one of none, minimal, low, medium, high`, 'reasoning_effort');
    if (budget !== null) {
      out.thinking = { type: 'enabled', budget_tokens: budget };
      // Anthropic requires budget < max_tokens; keep the caller's room for the answer on top of it.
      if (maxTokens <= budget) maxTokens += budget;
      out.max_tokens = maxTokens;
    }
  }

  const user = typeof request.user === 'string' ? request.user : request['safety_identifier'];
  if (typeof user === 'string' && user !== '') out.metadata = { user_id: user };
  if (typeof request.stream === 'boolean') out.stream = request.stream;
  return out;
}

function refuseUnsupported(request: ChatRequest, target: string): void {
  if (typeof request.n === 'number' && request.n > 1) reject(`${target} cannot return several choices (n)`, 'n');
  if (request['logprobs'] === true || request['top_logprobs'] !== undefined) reject(`${target} cannot return log probabilities (logprobs)`, 'logprobs');
  const modalities = request['modalities'];
  if (request['audio'] !== undefined || (Array.isArray(modalities) && modalities.some((modality) => modality !== 'text'))) {
    reject(`${target} cannot produce audio output (audio, modalities)`, request['audio'] !== undefined ? 'audio' : 'modalities');
  }
  if (request['prediction'] !== undefined) reject(`${target} does not support predicted outputs (prediction)`, 'prediction');
  const bias = request['logit_bias'];
  if (isObject(bias) && Object.keys(bias).length > 0) reject(`${target} cannot bias tokens (logit_bias)`, 'logit_bias');
  if (request['web_search_options'] !== undefined) reject(`${target} cannot search the web through web_search_options`, 'web_search_options');
  if (request['functions'] !== undefined || request['function_call'] !== undefined) {
    reject(`${target}: the deprecated functions/function_call fields are not translated; use tools and tool_choice`, request['functions'] !== undefined ? 'functions' : 'function_call');
  }
}

function writeMessage(message: ChatMessage, path: string, target: string, system: AnthropicTextBlock[], turns: AnthropicMessage[]): void {
  switch (message.role) {
    case 'system':
    case 'developer':
      for (const text of textsOf(message.content, `${path}.content`, target)) {
        // Anthropic refuses empty text blocks.
        if (text !== '') system.push({ type: 'text', text });
      }
      return;
    case 'user':
      pushTurn(turns, 'user', userBlocks(message.content, `${path}.content`, target));
      return;
    case 'assistant': {
      const blocks: AnthropicRequestBlock[] = [];
      if (message.content !== null && message.content !== undefined) {
        for (const text of textsOf(message.content, `${path}.content`, target)) if (text !== '') blocks.push({ type: 'text', text });
      }
      if (blocks.length === 0 && typeof message.refusal === 'string' && message.refusal !== '') blocks.push({ type: 'text', text: message.refusal });
      message.tool_calls?.forEach((call, index) => blocks.push(toolUse(call, `${path}.tool_calls[${index}]`, target)));
      // An empty assistant turn would be refused ("all messages must have non-empty content").
      if (blocks.length > 0) pushTurn(turns, 'assistant', blocks);
      return;
    }
    case 'tool': {
      const texts = textsOf(message.content, `${path}.content`, target);
      const result: AnthropicToolResultBlock = {
        type: 'tool_result',
        tool_use_id: message.tool_call_id,
        content: typeof message.content === 'string' ? message.content : texts.map((text) => ({ type: 'text', text })),
      };
      pushTurn(turns, 'user', [result]);
      return;
    }
    default: {
      const role: unknown = (message as { role: unknown }).role;
      reject(`${path}.role '${String(role)}' cannot be sent to ${target}`, `${path}.role`);
    }
  }
}

function textsOf(content: string | readonly ChatContentPart[], path: string, target: string): string[] {
  if (typeof content === 'string') return [content];
  return content.map((part, index) => {
    const fields = part as JsonObject;
    if (part.type === 'text' && typeof fields['text'] === 'string') return fields['text'];
    if (part.type === 'refusal' && typeof fields['refusal'] === 'string') return fields['refusal'];
    reject(`${path}[${index}]: a '${part.type}' part cannot be sent to ${target} here`, `${path}[${index}]`);
  });
}

function userBlocks(content: string | ChatContentPart[], path: string, target: string): AnthropicRequestBlock[] {
  if (typeof content === 'string') return [{ type: 'text', text: content }];
  return content.map((part, index): AnthropicRequestBlock => {
    const at = `${path}[${index}]`;
    switch (part.type) {
      case 'text':
        if (typeof part['text'] !== 'string') reject(`${at}.text must be a string`, `${at}.text`);
        return { type: 'text', text: part['text'] };
      case 'image_url': {
        const image = part['image_url'];
        if (!isObject(image) || typeof image['url'] !== 'string') reject(`${at}.image_url.url must be a string`, `${at}.image_url.url`);
        // `detail` has no Anthropic equivalent; the image is sent as it is.
        return { type: 'image', source: imageSource(image['url'], `${at}.image_url.url`, target) };
      }
      case 'input_audio':
        return reject(`${at}: ${target} does not accept audio input`, at);
      case 'file':
        return fileDocument(part['file'], at, target);
      default:
        reject(`${at}: content part type '${part.type}' cannot be sent to ${target}`, at);
    }
  });
}

function imageSource(url: string, path: string, target: string): AnthropicImageSource {
  if (url.startsWith('data:')) {
    const match = /^data:([^;,]+);base64,(.*)$/s.exec(url);
    if (match === null || match[1] === undefined || match[2] === undefined) reject(`${path}: only base64 data: URLs can be sent to ${target}`, path);
    return { type: 'base64', media_type: match[1], data: match[2] };
  }
  if (/^https?:\/\//i.test(url)) return { type: 'url', url };
  reject(`${path}: image URL must be an http(s) URL or a base64 data: URL`, path);
}

function fileDocument(file: unknown, path: string, target: string): AnthropicRequestBlock {
  const data = isObject(file) ? file['file_data'] : undefined;
  const prefix = 'data:application/pdf;base64,';
  // Uploaded file ids live in the caller's OpenAI account; only inline PDFs can travel.
  if (typeof data !== 'string' || !data.startsWith(prefix)) reject(`${path}: ${target} accepts only inline PDF files (file.file_data as a base64 PDF data: URL)`, path);
  const filename = isObject(file) && typeof file['filename'] === 'string' ? file['filename'] : undefined;
  return {
    type: 'document',
    source: { type: 'base64', media_type: 'application/pdf', data: data.slice(prefix.length) },
    ...(filename === undefined ? {} : { title: filename }),
  };
}

function toolUse(call: ChatToolCall, path: string, target: string): AnthropicRequestBlock {
  const text = call.function.arguments;
  let input: unknown = {};
  // Some providers send "" for a call without arguments.
  if (text.trim() !== '') {
    try {
      input = JSON.parse(text);
    } catch {
      reject(`${path}.function.arguments is not valid JSON, so it cannot be sent to ${target}`, `${path}.function.arguments`);
    }
  }
  if (!isObject(input)) reject(`${path}.function.arguments must encode a JSON object for ${target}`, `${path}.function.arguments`);
  return { type: 'tool_use', id: call.id, name: call.function.name, input };
}

function pushTurn(turns: AnthropicMessage[], role: 'user' | 'assistant', blocks: AnthropicRequestBlock[]): void {
  const last = turns[turns.length - 1];
  if (last === undefined || last.role !== role) {
    turns.push({ role, content: blocks });
    return;
  }
  const merged = [...(last.content as AnthropicRequestBlock[]), ...blocks];
  // Anthropic wants a turn's tool_result blocks before anything else in it.
  last.content = role === 'user' ? [...merged.filter(isToolResult), ...merged.filter((block) => !isToolResult(block))] : merged;
}

function isToolResult(block: AnthropicRequestBlock): boolean {
  return block.type === 'tool_result';
}

function collapseTurn(turn: AnthropicMessage): AnthropicMessage {
  const blocks = turn.content as AnthropicRequestBlock[];
  const only = blocks[0];
  return blocks.length === 1 && only?.type === 'text' ? { role: turn.role, content: only.text } : turn;
}

function writeTool(tool: ChatTool, path: string, target: string): AnthropicTool {
  if (tool.type !== 'function' || !isObject(tool.function)) reject(`${path}: ${target} accepts only function tools`, `${path}.type`);
  const parameters = tool.function.parameters ?? { type: 'object', properties: {} };
  if (!isObject(parameters) || parameters['type'] !== 'object') {
    reject(`${path}.function.parameters: ${target} requires a JSON object schema (type 'object') for tool '${tool.function.name}'`, `${path}.function.parameters`);
  }
  const out: AnthropicTool = { name: tool.function.name, input_schema: parameters as AnthropicTool['input_schema'] };
  if (typeof tool.function.description === 'string') out.description = tool.function.description;
  if (typeof tool.function.strict === 'boolean') out.strict = tool.function.strict;
  return out;
}

function writeToolChoice(choice: ChatToolChoice | undefined, target: string): AnthropicToolChoice | undefined {
  if (choice === undefined) return undefined;
  if (choice === 'auto') return { type: 'auto' };
  if (choice === 'required') return { type: 'any' };
  if (choice === 'none') return { type: 'none' };
  if (isObject(choice) && choice.type === 'function' && isObject(choice.function) && typeof choice.function.name === 'string') {
    return { type: 'tool', name: choice.function.name };
  }
  reject(`tool_choice: this form cannot be sent to ${target}; use auto, none, required or one function`, 'tool_choice');
}
