/**
 * Chat Completions request → Bedrock Converse body (providers.md §5.2, §7.1). Pure: the model id goes
 * in the URL, which the caller builds; nothing here fetches, so image URLs cannot be inlined.
 * @module
 */
import type { ChatContentPart, ChatMessage, ChatRequest, ChatTextPart, ChatTool } from '../chat/types.js';
import type { OutboundOptions, Translated, TranslationError } from '../codec.js';
import type {
  BedrockContentBlock,
  BedrockConverseRequest,
  BedrockImageFormat,
  BedrockInferenceConfig,
  BedrockMessage,
  BedrockTextBlock,
  BedrockTool,
  BedrockToolChoice,
} from './types.js';

/**
 * Thinking budgets per `reasoning_effort` (providers.md §7.1, a gateway policy, not a provider fact).
 * Claude's minimum budget is 1,024 tokens.
 */
export const THINKING_BUDGET_TOKENS: Readonly<Record<string, number>> = Object.freeze({ minimal: 1024, low: 2048, medium: 8192, high: 24576 });

/** Bedrock's geographic inference-profile prefixes (`us.anthropic.claude-...`). */
const PROFILE_PREFIXES = new Set(['us', 'eu', 'apac', 'global', 'us-gov', 'jp', 'au', 'ca']);
const IMAGE_FORMATS = new Set<string>(['png', 'jpeg', 'gif', 'webp']);

class Rejection extends Error {
  constructor(readonly error: TranslationError) {
    super(error.message);
  }
}

function reject(message: string, param?: string): never {
  throw new Rejection(param === undefined ? { status: 400, message } : { status: 400, message, param });
}

/**
 * Writes a Converse body.
 * @param request The pivot request.
 * @param options The Bedrock model id (for model-family features), the provider's name for messages, and
 *   the `maxTokens` to use when thinking needs room and the caller gave none.
 * @returns The body, or a 400 naming what Converse cannot express.
 *
 * Choices made here, each because Converse has no equivalent:
 * - `temperature` is clamped to [0, 1] (OpenAI allows 0 to 2); `seed`, penalties and
 *   `parallel_tool_calls` are dropped; `n` > 1, `logprobs`, https image URLs, audio and files are 400s.
 * - system and developer messages, wherever they are, become `system` blocks in order.
 * - consecutive turns of one role are merged (Converse rejects them), tool results first in a user turn.
 * - `tool_choice: 'none'` omits the tools, unless the history holds tool blocks (then `toolConfig` is
 *   required): the tools stay, with no `toolChoice`. History tool calls with no matching tool get a
 *   stub spec, for the same reason.
 * - `reasoning_effort` becomes Claude's `thinking` in `additionalModelRequestFields` (budget from
 *   {@link THINKING_BUDGET_TOKENS}, `maxTokens` raised above it); other model families get a 400.
 * - `response_format` json_schema becomes `outputConfig.textFormat` (the schema as a string); models
 *   without structured output answer 400 themselves. json_object has no switch: 400.
 * - reasoning in assistant history is dropped: Claude rejects thinking blocks without their signature.
 * @example
 * const body = writeConverseRequest(chatRequest, { model: 'anthropic.claude-3-5-haiku-20241022-v1:0', provider: 'bedrock', defaultMaxTokens: 4096 });
 */
export function writeConverseRequest(request: ChatRequest, options: OutboundOptions): Translated<BedrockConverseRequest> {
  try {
    return { ok: true, value: build(request, options) };
  } catch (error) {
    if (error instanceof Rejection) return { ok: false, error: error.error };
    throw error;
  }
}

function build(request: ChatRequest, options: OutboundOptions): BedrockConverseRequest {
  const where = `provider '${options.provider}' (Bedrock Converse)`;
  if (request.n !== undefined && request.n !== null && request.n !== 1) reject(`${where} returns one choice; n must be 1`, 'n');
  if (request['logprobs'] === true || typeof request['top_logprobs'] === 'number') reject(`${where} does not return logprobs`, 'logprobs');

  const system: BedrockTextBlock[] = [];
  const messages: BedrockMessage[] = [];
  request.messages.forEach((message, index) => addMessage(message, index, system, messages, where));
  for (const message of messages) if (message.role === 'user') toolResultsFirst(message.content);

  const body: BedrockConverseRequest = { messages };
  if (system.length > 0) body.system = system;

  const additional: Record<string, unknown> = {};
  if (request.top_k !== undefined) additional['top_k'] = request.top_k;
  const inference = inferenceConfig(request);
  if (request.reasoning_effort !== undefined && request.reasoning_effort !== null) {
    const budget = THINKING_BUDGET_TOKENS[request.reasoning_effort];
    if (budget === undefined) reject(`reasoning_effort '${request.reasoning_effort}' is not one of ${Object.keys(THINKING_BUDGET_TOKENS).join(', ')}`, 'reasoning_effort');
    if (modelVendor(options.model) !== 'anthropic') {
      reject(`${where}: reasoning_effort is translated only for Anthropic Claude models (model '${options.model}')`, 'reasoning_effort');
    }
    additional['thinking'] = { type: 'enabled', budget_tokens: budget };
    // Claude requires max_tokens > budget_tokens: the caller's limit is kept for the answer itself.
    const answerTokens = inference.maxTokens ?? options.defaultMaxTokens;
    if (answerTokens <= budget) inference.maxTokens = budget + answerTokens;
    else inference.maxTokens = answerTokens;
  }
  if (Object.keys(inference).length > 0) body.inferenceConfig = inference;

  const toolConfig = buildToolConfig(request, messages, where);
  if (toolConfig !== undefined) body.toolConfig = toolConfig;
  if (Object.keys(additional).length > 0) body.additionalModelRequestFields = additional;

  const format = request.response_format;
  if (format !== undefined && format !== null) {
    if (format.type === 'json_schema') {
      const schema = format.json_schema.schema;
      if (schema === undefined) reject('response_format json_schema needs a schema', 'response_format.json_schema.schema');
      const jsonSchema: { schema: string; name?: string; description?: string } = { schema: JSON.stringify(schema), name: format.json_schema.name };
      if (format.json_schema.description !== undefined) jsonSchema.description = format.json_schema.description;
      body.outputConfig = { textFormat: { type: 'json_schema', structure: { jsonSchema } } };
    } else if (format.type === 'json_object') {
      reject(`${where} has no JSON object mode; use response_format json_schema`, 'response_format');
    }
  }
  if (typeof request.user === 'string' && request.user.length > 0 && request.user.length <= 256) body.requestMetadata = { user: request.user };
  return body;
}

function inferenceConfig(request: ChatRequest): BedrockInferenceConfig {
  const config: BedrockInferenceConfig = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (typeof maxTokens === 'number') config.maxTokens = maxTokens;
  // OpenAI allows 0 to 2, Converse 0 to 1: clamp rather than fail a request most callers mean loosely.
  if (typeof request.temperature === 'number') config.temperature = Math.min(1, Math.max(0, request.temperature));
  if (typeof request.top_p === 'number') config.topP = request.top_p;
  const stop = request.stop;
  if (typeof stop === 'string') config.stopSequences = [stop];
  else if (Array.isArray(stop) && stop.length > 0) config.stopSequences = [...stop];
  return config;
}

/** The model family: `us.anthropic.claude-...`, `anthropic.claude-...` and profile ARNs all give `anthropic`. */
function modelVendor(model: string): string {
  const id = model.startsWith('arn:') ? model.slice(model.lastIndexOf('/') + 1) : model;
  const parts = id.split('.');
  const first = parts[0] ?? '';
  return PROFILE_PREFIXES.has(first) && parts.length > 2 ? (parts[1] ?? '') : first;
}

function textOf(content: string | ChatTextPart[] | null | undefined): string {
  if (content === null || content === undefined) return '';
  if (typeof content === 'string') return content;
  return content.map((part) => part.text).join('');
}

function push(messages: BedrockMessage[], role: 'user' | 'assistant', blocks: BedrockContentBlock[]): void {
  if (blocks.length === 0) return;
  const last = messages[messages.length - 1];
  if (last !== undefined && last.role === role) last.content.push(...blocks);
  else messages.push({ role, content: blocks });
}

function addMessage(message: ChatMessage, index: number, system: BedrockTextBlock[], messages: BedrockMessage[], where: string): void {
  const param = `messages[${index}]`;
  switch (message.role) {
    case 'system':
    case 'developer': {
      // One system block per text part, in order, so separate parts never run together.
      const parts = typeof message.content === 'string' ? [message.content] : message.content.map((part) => part.text);
      for (const text of parts) if (text !== '') system.push({ text });
      return;
    }
    case 'user':
      push(messages, 'user', userBlocks(message.content, param, where));
      return;
    case 'assistant': {
      const blocks: BedrockContentBlock[] = [];
      const text = textOf(message.content);
      // Converse rejects blank text blocks.
      if (text !== '') blocks.push({ text });
      message.tool_calls?.forEach((call, callIndex) => {
        blocks.push({ toolUse: { toolUseId: call.id, name: call.function.name, input: parseArguments(call.function.arguments, `${param}.tool_calls[${callIndex}].function.arguments`) } });
      });
      push(messages, 'assistant', blocks);
      return;
    }
    case 'tool': {
      const text = textOf(message.content);
      push(messages, 'user', [{ toolResult: { toolUseId: message.tool_call_id, content: text === '' ? [] : [{ text }], status: 'success' } }]);
      return;
    }
    default: {
      const role: unknown = (message as { role?: unknown }).role;
      reject(`message role '${String(role)}' is not supported`, `${param}.role`);
    }
  }
}

function parseArguments(text: string, param: string): Record<string, unknown> {
  if (text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    reject('tool call arguments must be a JSON object; they are not valid JSON', param);
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) reject('tool call arguments must be a JSON object', param);
  return value as Record<string, unknown>;
}

function userBlocks(content: string | ChatContentPart[], param: string, where: string): BedrockContentBlock[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  const blocks: BedrockContentBlock[] = [];
  content.forEach((part, partIndex) => {
    const partParam = `${param}.content[${partIndex}]`;
    if (part.type === 'text') {
      const text = (part as ChatTextPart).text;
      if (typeof text === 'string' && text !== '') blocks.push({ text });
    } else if (part.type === 'image_url') {
      blocks.push(imageBlock(part as ChatContentPart & { image_url?: { url?: unknown } }, `${partParam}.image_url.url`, where));
    } else {
      reject(`${where} cannot take content parts of type '${part.type}'`, `${partParam}.type`);
    }
  });
  return blocks;
}

const DATA_URL = /^data:image\/([a-z0-9.+-]+);base64,(.*)$/is;

function imageBlock(part: { image_url?: { url?: unknown } }, param: string, where: string): BedrockContentBlock {
  const url = part.image_url?.url;
  if (typeof url !== 'string') reject('image_url.url must be a string', param);
  const match = DATA_URL.exec(url);
  if (match === null) {
    if (/^https?:/i.test(url)) reject(`${where} does not accept image URLs and Sluice does not download them; send the image as a data: URL (base64)`, param);
    reject('image_url.url must be a data:image/<format>;base64 URL', param);
  }
  let format = match[1]!.toLowerCase();
  if (format === 'jpg') format = 'jpeg';
  if (!IMAGE_FORMATS.has(format)) reject(`${where} accepts png, jpeg, gif and webp images, not '${format}'`, param);
  return { image: { format: format as BedrockImageFormat, source: { bytes: match[2]! } } };
}

/** Claude requires tool results before any other block of the turn that answers the calls. */
function toolResultsFirst(blocks: BedrockContentBlock[]): void {
  const results = blocks.filter((block) => 'toolResult' in block);
  if (results.length === 0 || results.length === blocks.length) return;
  const others = blocks.filter((block) => !('toolResult' in block));
  blocks.length = 0;
  blocks.push(...results, ...others);
}

function toolSpec(tool: ChatTool, param: string, where: string): BedrockTool {
  if (tool.type !== 'function') reject(`${where} takes only function tools, not '${String(tool.type)}'`, `${param}.type`);
  const parameters = tool.function.parameters;
  if (parameters !== undefined && (typeof parameters !== 'object' || parameters === null || Array.isArray(parameters))) {
    reject(`tool '${tool.function.name}': parameters must be a JSON object schema`, `${param}.function.parameters`);
  }
  const spec: BedrockTool['toolSpec'] = { name: tool.function.name, inputSchema: { json: parameters ?? { type: 'object', properties: {} } } };
  if (tool.function.description !== undefined && tool.function.description !== '') spec.description = tool.function.description;
  return { toolSpec: spec };
}

function buildToolConfig(request: ChatRequest, messages: BedrockMessage[], where: string): BedrockConverseRequest['toolConfig'] {
  const tools = (request.tools ?? []).map((tool, index) => toolSpec(tool, `tools[${index}]`, where));
  let historyHasTools = false;
  const historyNames = new Set<string>();
  for (const message of messages) {
    for (const block of message.content) {
      if ('toolUse' in block) historyNames.add(block.toolUse.name);
      if ('toolUse' in block || 'toolResult' in block) historyHasTools = true;
    }
  }
  const choice = request.tool_choice;
  if (choice === 'none' && !historyHasTools) return undefined;
  const declared = new Set(tools.map((tool) => tool.toolSpec.name));
  for (const name of historyNames) {
    if (!declared.has(name)) tools.push({ toolSpec: { name, inputSchema: { json: { type: 'object', properties: {} } } } });
  }
  if (tools.length === 0) {
    // A toolResult with no toolUse in the history: Converse will say what is wrong better than a stub could.
    if (choice !== undefined && choice !== 'none' && choice !== 'auto') reject('tool_choice needs tools', 'tool_choice');
    return undefined;
  }
  const config: NonNullable<BedrockConverseRequest['toolConfig']> = { tools };
  const toolChoice = mapToolChoice(choice, declared);
  if (toolChoice !== undefined) config.toolChoice = toolChoice;
  return config;
}

function mapToolChoice(choice: ChatRequest['tool_choice'], declared: Set<string>): BedrockToolChoice | undefined {
  if (choice === undefined || choice === 'none') return undefined;
  if (choice === 'auto') return { auto: {} };
  if (choice === 'required') return { any: {} };
  if (typeof choice === 'object' && choice.type === 'function') {
    if (!declared.has(choice.function.name)) reject(`tool_choice names '${choice.function.name}', which is not in tools`, 'tool_choice.function.name');
    return { tool: { name: choice.function.name } };
  }
  reject(`tool_choice ${JSON.stringify(choice)} is not supported`, 'tool_choice');
}
