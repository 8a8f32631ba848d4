/**
 * Gemini `generateContent` request bodies to and from the Chat Completions pivot (providers.md §7.1).
 * {@link readGeminiRequest} reads what `@google/genai` sent; {@link writeGeminiRequest} writes what the
 * Gemini API (AI Studio or Vertex AI) accepts. Pure: the model and `:streamGenerateContent?alt=sse`
 * belong to the URL, which is not built here.
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
import type { InboundRequest, OutboundOptions, Translated } from '../codec.js';
import {
  field,
  imageTypeFromUrl,
  isObject,
  numberField,
  parseDataUrl,
  stringField,
  type GeminiContent,
  type GeminiFunctionDeclaration,
  type GeminiGenerationConfig,
  type GeminiPart,
  type GeminiRequest,
  type JsonObject,
} from './types.js';

/** A request Sluice cannot translate; caught at the module's two entry points and returned as a 400. */
class Refusal extends Error {
  constructor(
    readonly param: string,
    message: string,
  ) {
    super(message);
  }
}

function refuse(param: string, message: string): never {
  throw new Refusal(param, `${param}: ${message}`);
}

function translate<T>(run: () => T): Translated<T> {
  try {
    return { ok: true, value: run() };
  } catch (error) {
    if (error instanceof Refusal) return { ok: false, error: { status: 400, message: error.message, param: error.param } };
    throw error;
  }
}

const camel = (key: string): string => key.replace(/_([a-z])/g, (_match, letter: string) => letter.toUpperCase());

/** Gateway policy (providers.md §7.1): reasoning effort ↔ thinking budget, reversed by nearest. */
const EFFORT_BUDGETS: ReadonlyArray<readonly [effort: string, budget: number]> = [
  ['minimal', 1024],
  ['low', 2048],
  ['medium', 8192],
  ['high', 24576],
];

/** Gemini's own spelling of a function call id Sluice made up, when the call came without one. */
const syntheticCallId = (index: number): string => `call_${index}`;

// ---------------------------------------------------------------------------------------------------
// Gemini -> pivot (the caller is a Gemini SDK)
// ---------------------------------------------------------------------------------------------------

/** Top-level fields that only tune Google's own service; other providers have no counterpart. */
const DROPPED_TOP_LEVEL = new Set([
  // Thresholds of Google's safety filters: a hint to Google, meaningless to the target's own filters.
  'safetySettings',
  // Vertex billing labels and the service tier are metadata about the call, not about the answer.
  'labels',
  'serviceTier',
  'store',
  // Some clients repeat the URL's model in the body; the URL wins.
  'model',
]);

/** `generationConfig` fields that are hints for Google's serving only. */
const DROPPED_GENERATION = new Set(['mediaResolution', 'enableEnhancedCivicAnswers']);

/**
 * Reads a Gemini `generateContent` body into a Chat Completions request.
 * @param body The parsed JSON body the SDK sent.
 * @param inbound The model and streaming flag, which Gemini puts in the URL.
 * @returns The pivot request, or a 400 naming the field that cannot be translated.
 * @example
 * readGeminiRequest({ contents: [{ role: 'user', parts: [{ text: 'Hi' }] }] }, { model: 'gemini-2.5-flash', stream: false });
 */
export function readGeminiRequest(body: unknown, inbound: InboundRequest): Translated<ChatRequest> {
  return translate(() => readRequest(body, inbound));
}

function readRequest(body: unknown, inbound: InboundRequest): ChatRequest {
  if (!isObject(body)) refuse('body', 'a generateContent request must be a JSON object');
  if (inbound.model === null || inbound.model === '') refuse('model', 'the URL names no model (expected /models/{model}:generateContent)');
  for (const key of Object.keys(body)) {
    const name = camel(key);
    if (name === 'cachedContent') refuse(key, 'an explicit Gemini context cache lives at Google and cannot be sent to another provider');
    if (!['contents', 'systemInstruction', 'tools', 'toolConfig', 'generationConfig'].includes(name) && !DROPPED_TOP_LEVEL.has(name)) {
      refuse(key, 'this field cannot be translated to another provider');
    }
  }
  const messages: ChatMessage[] = [];
  const system = field(body, 'systemInstruction');
  if (system !== undefined) messages.push(readSystem(system));
  readContents(field(body, 'contents'), messages);

  const request: ChatRequest = { model: inbound.model, messages };
  if (inbound.stream) {
    request.stream = true;
    // A Gemini client always gets usage on the last event, so ask every target for it.
    request.stream_options = { include_usage: true };
  }
  const tools = readTools(field(body, 'tools'));
  if (tools.length > 0) request.tools = tools;
  readToolConfig(field(body, 'toolConfig'), request);
  readGenerationConfig(field(body, 'generationConfig'), request);
  return request;
}

function readSystem(value: unknown): ChatMessage {
  // The SDK always sends a Content; a bare string is what hand-written REST calls sometimes send.
  if (typeof value === 'string') return { role: 'system', content: value };
  if (!isObject(value)) refuse('systemInstruction', 'must be a Content object');
  const parts = field(value, 'parts');
  if (!Array.isArray(parts)) refuse('systemInstruction.parts', 'must be an array');
  const texts: ChatTextPart[] = parts.map((part, index) => {
    const text = isObject(part) ? field(part, 'text') : undefined;
    if (typeof text !== 'string') refuse(`systemInstruction.parts[${index}]`, 'only text parts can be translated in a system instruction');
    return { type: 'text', text };
  });
  return { role: 'system', content: texts.length === 1 ? texts[0]!.text : texts };
}

/** Matches each `functionResponse` to its call: ids Gemini gave, else the oldest unanswered call of that name. */
class CallLedger {
  #count = 0;
  readonly #unanswered = new Map<string, string[]>();
  readonly #last = new Map<string, string>();

  /** Records a call and returns the id the pivot will know it by. */
  call(name: string, id: string | undefined): string {
    const callId = id ?? syntheticCallId(this.#count);
    this.#count++;
    const queue = this.#unanswered.get(name) ?? [];
    queue.push(callId);
    this.#unanswered.set(name, queue);
    this.#last.set(name, callId);
    return callId;
  }

  /** The call a response answers, or `undefined` when no call of that name was made. */
  answer(name: string, id: string | undefined): string | undefined {
    const queue = this.#unanswered.get(name);
    if (id !== undefined) {
      const at = queue?.indexOf(id) ?? -1;
      if (at !== -1) queue!.splice(at, 1);
      return id;
    }
    return queue?.shift() ?? this.#last.get(name);
  }
}

function readContents(value: unknown, messages: ChatMessage[]): void {
  if (!Array.isArray(value) || value.length === 0) refuse('contents', 'must be a non-empty array of Content objects');
  const ledger = new CallLedger();
  value.forEach((content, index) => {
    const param = `contents[${index}]`;
    if (!isObject(content)) refuse(param, 'must be a Content object');
    const parts = field(content, 'parts');
    if (!Array.isArray(parts) || parts.length === 0) refuse(`${param}.parts`, 'must be a non-empty array');
    const role = field(content, 'role') ?? 'user';
    if (role === 'model') messages.push(readModelTurn(parts, param, ledger));
    // `function` is the role older Gemini API versions used for function responses.
    else if (role === 'user' || role === 'function') readUserTurn(parts, param, ledger, messages);
    else refuse(`${param}.role`, `must be 'user' or 'model'; got ${JSON.stringify(role)}`);
  });
}

/** Part fields that qualify a part's data; they carry nothing another provider can use. */
const PART_ANNOTATIONS = new Set(['thought', 'thoughtSignature', 'videoMetadata', 'partMetadata', 'mediaResolution']);

/**
 * The key holding a part's data, or `null` for a part with only annotations (a bare signature), which
 * carries nothing to translate; refuses parts whose data Sluice cannot translate.
 */
function partKind(part: unknown, param: string): { kind: string; part: JsonObject } | null {
  if (!isObject(part)) refuse(param, 'must be a Part object');
  let kind: string | undefined;
  for (const key of Object.keys(part)) {
    const name = camel(key);
    if (PART_ANNOTATIONS.has(name)) continue;
    if (!['text', 'inlineData', 'fileData', 'functionCall', 'functionResponse'].includes(name)) {
      refuse(`${param}.${key}`, `'${key}' parts (Gemini built-in tools and media) cannot be translated to another provider`);
    }
    kind = name;
  }
  return kind === undefined ? null : { kind, part };
}

function readModelTurn(parts: unknown[], param: string, ledger: CallLedger): ChatMessage {
  let text = '';
  let reasoning = '';
  const toolCalls: ChatToolCall[] = [];
  parts.forEach((raw, index) => {
    const partParam = `${param}.parts[${index}]`;
    const found = partKind(raw, partParam);
    if (found === null) return;
    const { kind, part } = found;
    if (kind === 'text') {
      const value = stringField(part, 'text') ?? '';
      if (field(part, 'thought') === true) reasoning += value;
      else text += value;
    } else if (kind === 'functionCall') {
      const call = field(part, 'functionCall');
      if (!isObject(call) || typeof call['name'] !== 'string') refuse(`${partParam}.functionCall`, 'must have a name');
      const args = field(call, 'args') ?? {};
      if (!isObject(args)) refuse(`${partParam}.functionCall.args`, 'must be an object');
      const id = ledger.call(call['name'], stringField(call, 'id'));
      toolCalls.push({ id, type: 'function', function: { name: call['name'], arguments: JSON.stringify(args) } });
    } else {
      refuse(`${partParam}.${kind}`, 'only text and function calls can be translated in a model turn');
    }
  });
  const message: Extract<ChatMessage, { role: 'assistant' }> = { role: 'assistant', content: text === '' && toolCalls.length > 0 ? null : text };
  if (toolCalls.length > 0) message.tool_calls = toolCalls;
  if (reasoning !== '') message.reasoning_content = reasoning;
  return message;
}

function readUserTurn(parts: unknown[], param: string, ledger: CallLedger, messages: ChatMessage[]): void {
  const content: ChatContentPart[] = [];
  parts.forEach((raw, index) => {
    const partParam = `${param}.parts[${index}]`;
    const found = partKind(raw, partParam);
    if (found === null) return;
    const { kind, part } = found;
    if (kind === 'text') {
      // Thought parts are the model's own; a user turn carrying one is a client echo with nothing to say.
      if (field(part, 'thought') !== true) content.push({ type: 'text', text: stringField(part, 'text') ?? '' });
    } else if (kind === 'inlineData') {
      content.push(readInlineData(field(part, 'inlineData'), `${partParam}.inlineData`));
    } else if (kind === 'fileData') {
      content.push(readFileData(field(part, 'fileData'), `${partParam}.fileData`));
    } else if (kind === 'functionResponse') {
      // Tool results must directly follow the assistant's calls in the pivot, before any user text.
      messages.push(readFunctionResponse(field(part, 'functionResponse'), `${partParam}.functionResponse`, ledger));
    } else {
      refuse(`${partParam}.${kind}`, 'a user turn cannot carry a function call');
    }
  });
  if (content.length === 0) return;
  const only = content[0]!;
  messages.push({ role: 'user', content: content.length === 1 && only.type === 'text' ? (only as ChatTextPart).text : content });
}

function readInlineData(value: unknown, param: string): ChatContentPart {
  if (!isObject(value)) refuse(param, 'must be an object with mimeType and data');
  const mimeType = stringField(value, 'mimeType');
  const data = stringField(value, 'data');
  if (mimeType === undefined || data === undefined) refuse(param, 'must have mimeType and data');
  if (!mimeType.toLowerCase().startsWith('image/')) refuse(param, `only images can be translated to another provider; got '${mimeType}'`);
  return { type: 'image_url', image_url: { url: `data:${mimeType};base64,${data}` } };
}

/**
 * `fileData` points at bytes Sluice does not fetch (translation is pure). An `https:` image URL is
 * passed on as an image URL the target fetches itself; Files API and Cloud Storage URIs are readable
 * only by Gemini with the caller's Google credentials, so they are refused.
 */
function readFileData(value: unknown, param: string): ChatContentPart {
  if (!isObject(value)) refuse(param, 'must be an object with fileUri');
  const uri = stringField(value, 'fileUri');
  if (uri === undefined) refuse(param, 'must have fileUri');
  const mimeType = stringField(value, 'mimeType');
  if (uri.startsWith('gs://') || /^https:\/\/generativelanguage\.googleapis\.com\//.test(uri)) {
    refuse(param, `'${uri}' is a Gemini Files API or Cloud Storage URI, which only Gemini can read; send the image inline`);
  }
  if (!uri.startsWith('https://')) refuse(param, `only https: image URLs can be translated; got '${uri}'`);
  const isImage = mimeType === undefined ? imageTypeFromUrl(uri) !== undefined : mimeType.toLowerCase().startsWith('image/');
  if (!isImage) refuse(param, `only images can be translated to another provider; got '${mimeType ?? uri}'`);
  return { type: 'image_url', image_url: { url: uri } };
}

function readFunctionResponse(value: unknown, param: string, ledger: CallLedger): ChatMessage {
  if (!isObject(value) || typeof value['name'] !== 'string') refuse(param, 'must have a name');
  if (field(value, 'parts') !== undefined) refuse(`${param}.parts`, 'multimodal function responses cannot be translated');
  const response = field(value, 'response') ?? {};
  if (!isObject(response)) refuse(`${param}.response`, 'must be an object');
  const id = ledger.answer(value['name'], stringField(value, 'id'));
  if (id === undefined) refuse(param, `no earlier model turn called '${value['name']}'`);
  return { role: 'tool', tool_call_id: id, content: responseText(response) };
}

/** `{result: x}` and `{output: x}` are the wrappers Gemini's docs use; other objects travel as JSON. */
function responseText(response: JsonObject): string {
  const keys = Object.keys(response);
  if (keys.length === 1 && (keys[0] === 'result' || keys[0] === 'output')) {
    const value = response[keys[0]];
    return typeof value === 'string' ? value : JSON.stringify(value);
  }
  return JSON.stringify(response);
}

function readTools(value: unknown): ChatTool[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) refuse('tools', 'must be an array');
  const tools: ChatTool[] = [];
  value.forEach((tool, index) => {
    if (!isObject(tool)) refuse(`tools[${index}]`, 'must be a Tool object');
    for (const key of Object.keys(tool)) {
      if (camel(key) !== 'functionDeclarations') {
        refuse(`tools[${index}].${key}`, `Gemini's built-in '${key}' tool cannot be translated to another provider`);
      }
      const declarations = tool[key];
      if (!Array.isArray(declarations)) refuse(`tools[${index}].${key}`, 'must be an array');
      declarations.forEach((declaration, at) => tools.push(readDeclaration(declaration, `tools[${index}].${key}[${at}]`)));
    }
  });
  return tools;
}

function readDeclaration(value: unknown, param: string): ChatTool {
  if (!isObject(value) || typeof value['name'] !== 'string') refuse(param, 'a function declaration must have a name');
  const tool: ChatTool = { type: 'function', function: { name: value['name'] } };
  const description = stringField(value, 'description');
  if (description !== undefined) tool.function.description = description;
  const jsonSchema = field(value, 'parametersJsonSchema');
  const schema = field(value, 'parameters');
  if (jsonSchema !== undefined) {
    if (!isObject(jsonSchema)) refuse(`${param}.parametersJsonSchema`, 'must be a JSON Schema object');
    tool.function.parameters = jsonSchema;
  } else if (schema !== undefined) {
    tool.function.parameters = toJsonSchema(schema, `${param}.parameters`);
  }
  // `response`/`responseJsonSchema` describe what the caller's function returns: a hint with no
  // counterpart in other providers' tool definitions, so it is dropped.
  return tool;
}

const SCHEMA_CHILD_LISTS = new Set(['anyOf', 'oneOf', 'allOf', 'prefixItems']);
const SCHEMA_INTEGERS = new Set(['minItems', 'maxItems', 'minLength', 'maxLength', 'minProperties', 'maxProperties']);

/**
 * Gemini's `Schema` (an OpenAPI 3.0 subset: upper-case types, `nullable`) as JSON Schema. Property
 * names are data and kept as written; keywords are read in either spelling.
 */
function toJsonSchema(value: unknown, param: string): JsonObject {
  if (!isObject(value)) refuse(param, 'must be a schema object');
  const schema: JsonObject = {};
  for (const [key, child] of Object.entries(value)) {
    const name = camel(key);
    if (name === 'type') {
      if (typeof child === 'string' && child.toUpperCase() !== 'TYPE_UNSPECIFIED') schema['type'] = child.toLowerCase();
    } else if (name === 'properties') {
      if (!isObject(child)) refuse(`${param}.properties`, 'must be an object');
      schema['properties'] = Object.fromEntries(Object.entries(child).map(([property, sub]) => [property, toJsonSchema(sub, `${param}.properties.${property}`)]));
    } else if (name === 'items' || (name === 'additionalProperties' && isObject(child))) {
      schema[name] = toJsonSchema(child, `${param}.${key}`);
    } else if (SCHEMA_CHILD_LISTS.has(name)) {
      if (!Array.isArray(child)) refuse(`${param}.${key}`, 'must be an array');
      schema[name] = child.map((sub, index) => toJsonSchema(sub, `${param}.${key}[${index}]`));
    } else if (name === 'example') {
      schema['examples'] = [child];
    } else if (SCHEMA_INTEGERS.has(name)) {
      // Proto int64 fields arrive as JSON strings ("1").
      schema[name] = typeof child === 'string' && /^\d+$/.test(child) ? Number(child) : child;
    } else if (name !== 'nullable' && name !== 'propertyOrdering') {
      // `propertyOrdering` only steers Gemini's output order; JSON Schema has no equivalent.
      schema[name] = child;
    }
  }
  if (field(value, 'nullable') === true && typeof schema['type'] === 'string') schema['type'] = [schema['type'], 'null'];
  return schema;
}

function readToolConfig(value: unknown, request: ChatRequest): void {
  if (value === undefined) return;
  if (!isObject(value)) refuse('toolConfig', 'must be an object');
  // `retrievalConfig` only configures the built-in Maps/Search tools, which are refused above.
  const config = field(value, 'functionCallingConfig');
  if (config === undefined) return;
  if (!isObject(config)) refuse('toolConfig.functionCallingConfig', 'must be an object');
  const mode = (stringField(config, 'mode') ?? 'AUTO').toUpperCase();
  const allowed = field(config, 'allowedFunctionNames');
  const names = Array.isArray(allowed) ? allowed.filter((name): name is string => typeof name === 'string') : [];
  let choice: ChatToolChoice;
  if (mode === 'NONE') choice = 'none';
  else if (mode === 'ANY' && names.length === 1) choice = { type: 'function', function: { name: names[0]! } };
  else if (mode === 'ANY') choice = 'required';
  // VALIDATED is AUTO with schema-checked calls; the check is the target's business.
  else if (mode === 'AUTO' || mode === 'VALIDATED' || mode === 'MODE_UNSPECIFIED') choice = 'auto';
  else refuse('toolConfig.functionCallingConfig.mode', `unknown mode '${mode}'`);
  if (names.length > 1 && mode !== 'NONE') {
    // Several allowed names: expose only those functions, which is what Gemini constrains the choice to.
    const tools = request.tools ?? [];
    for (const name of names) {
      if (!tools.some((tool) => tool.function.name === name)) {
        refuse('toolConfig.functionCallingConfig.allowedFunctionNames', `'${name}' is not a declared function`);
      }
    }
    request.tools = tools.filter((tool) => names.includes(tool.function.name));
  }
  request.tool_choice = choice;
}

function readGenerationConfig(value: unknown, request: ChatRequest): void {
  if (value === undefined) return;
  if (!isObject(value)) refuse('generationConfig', 'must be an object');
  const handled = new Set([
    'maxOutputTokens', 'temperature', 'topP', 'topK', 'stopSequences', 'seed', 'presencePenalty', 'frequencyPenalty',
    'candidateCount', 'responseMimeType', 'responseSchema', 'responseJsonSchema', 'thinkingConfig', 'responseModalities',
  ]);
  for (const key of Object.keys(value)) {
    const name = camel(key);
    if (!handled.has(name) && !DROPPED_GENERATION.has(name)) refuse(`generationConfig.${key}`, 'this setting cannot be translated to another provider');
  }
  const numbers: Array<[gemini: string, pivot: 'max_completion_tokens' | 'temperature' | 'top_p' | 'top_k' | 'seed' | 'presence_penalty' | 'frequency_penalty']> = [
    // maxOutputTokens counts thinking tokens too, as max_completion_tokens counts reasoning.
    ['maxOutputTokens', 'max_completion_tokens'],
    ['temperature', 'temperature'],
    ['topP', 'top_p'],
    ['topK', 'top_k'],
    ['seed', 'seed'],
    ['presencePenalty', 'presence_penalty'],
    ['frequencyPenalty', 'frequency_penalty'],
  ];
  for (const [gemini, pivot] of numbers) {
    const number = numberField(value, gemini);
    if (number !== undefined) request[pivot] = number;
  }
  const stop = field(value, 'stopSequences');
  if (Array.isArray(stop) && stop.length > 0) request.stop = stop.filter((item): item is string => typeof item === 'string');
  const candidates = numberField(value, 'candidateCount');
  if (candidates !== undefined && candidates > 1) request.n = candidates;
  const modalities = field(value, 'responseModalities');
  if (Array.isArray(modalities) && modalities.some((modality) => String(modality).toUpperCase() !== 'TEXT')) {
    refuse('generationConfig.responseModalities', 'only TEXT output can be translated to another provider');
  }
  readResponseFormat(value, request);
  readThinking(field(value, 'thinkingConfig'), request);
}

function readResponseFormat(config: JsonObject, request: ChatRequest): void {
  const mimeType = stringField(config, 'responseMimeType');
  const jsonSchema = field(config, 'responseJsonSchema');
  const schema = field(config, 'responseSchema');
  if (mimeType === undefined || mimeType === 'text/plain') {
    if (jsonSchema !== undefined || schema !== undefined) refuse('generationConfig.responseSchema', "a response schema needs responseMimeType 'application/json'");
    return;
  }
  if (mimeType !== 'application/json') refuse('generationConfig.responseMimeType', `'${mimeType}' output cannot be translated to another provider`);
  if (jsonSchema !== undefined) {
    if (!isObject(jsonSchema)) refuse('generationConfig.responseJsonSchema', 'must be a JSON Schema object');
    request.response_format = { type: 'json_schema', json_schema: { name: 'response', schema: jsonSchema } };
  } else if (schema !== undefined) {
    request.response_format = { type: 'json_schema', json_schema: { name: 'response', schema: toJsonSchema(schema, 'generationConfig.responseSchema') } };
  } else {
    request.response_format = { type: 'json_object' };
  }
}

function readThinking(value: unknown, request: ChatRequest): void {
  if (value === undefined) return;
  if (!isObject(value)) refuse('generationConfig.thinkingConfig', 'must be an object');
  // includeThoughts has no pivot switch: reasoning text is returned whenever the target shows it.
  const level = stringField(value, 'thinkingLevel');
  if (level !== undefined && level.toUpperCase() !== 'THINKING_LEVEL_UNSPECIFIED') {
    const effort = level.toLowerCase();
    if (!['minimal', 'low', 'medium', 'high'].includes(effort)) refuse('generationConfig.thinkingConfig.thinkingLevel', `unknown level '${level}'`);
    request.reasoning_effort = effort;
    return;
  }
  const budget = numberField(value, 'thinkingBudget');
  // -1 asks for Gemini's dynamic budget: leave the effort to the target's default.
  if (budget === undefined || budget < 0) return;
  if (budget === 0) {
    request.reasoning_effort = 'none';
    return;
  }
  let nearest = EFFORT_BUDGETS[0]!;
  for (const entry of EFFORT_BUDGETS) if (Math.abs(entry[1] - budget) < Math.abs(nearest[1] - budget)) nearest = entry;
  request.reasoning_effort = nearest[0];
}

// ---------------------------------------------------------------------------------------------------
// pivot -> Gemini (the target is Gemini)
// ---------------------------------------------------------------------------------------------------

/**
 * Gemini 3 rejects a function call turn without the `thoughtSignature` it issued; calls that come from
 * another model have none, and Google documents this value for exactly that case
 * (https://ai.google.dev/gemini-api/docs/thought-signatures).
 */
export const FOREIGN_THOUGHT_SIGNATURE = 'skip_thought_signature_validator';

/** Pivot fields with no Gemini counterpart that change what the caller gets back: refused, not dropped. */
const REFUSED_FIELDS: ReadonlyArray<[field: string, why: string]> = [
  ['logprobs', 'log probabilities cannot be translated to Gemini'],
  ['top_logprobs', 'log probabilities cannot be translated to Gemini'],
  ['audio', 'audio output cannot be translated to Gemini'],
  ['web_search_options', "OpenAI's web search cannot be translated to Gemini"],
];

/**
 * Writes a Chat Completions request as a Gemini `generateContent` body.
 * @param request The pivot request.
 * @param options The target; `options.model` goes in the URL, not here.
 * @returns The body, or a 400 naming the feature Gemini cannot express.
 * @example
 * writeGeminiRequest({ model: 'm', messages: [{ role: 'user', content: 'Hi' }] }, { model: 'gemini-2.5-flash', provider: 'gemini', defaultMaxTokens: 4096 });
 */
export function writeGeminiRequest(request: ChatRequest, options: OutboundOptions): Translated<GeminiRequest> {
  return translate(() => writeRequest(request, options.provider));
}

function writeRequest(request: ChatRequest, provider: string): GeminiRequest {
  for (const [name, why] of REFUSED_FIELDS) {
    const value = request[name];
    if (value !== undefined && value !== null && value !== false) refuse(name, `${why} (provider '${provider}')`);
  }
  if (isObject(request['logit_bias']) && Object.keys(request['logit_bias']).length > 0) refuse('logit_bias', `token biases cannot be translated to Gemini (provider '${provider}')`);
  const modalities = request['modalities'];
  if (Array.isArray(modalities) && modalities.some((modality) => modality !== 'text')) refuse('modalities', `only text output can be translated to Gemini (provider '${provider}')`);

  const { contents, system } = writeMessages(request.messages, provider);
  const body: GeminiRequest = { contents };
  if (system.length > 0) body.systemInstruction = { parts: system };
  const tools = request.tools ?? [];
  if (tools.length > 0) {
    body.tools = [{ functionDeclarations: tools.map((tool, index) => writeDeclaration(tool, index)) }];
    if (request.tool_choice !== undefined) body.toolConfig = { functionCallingConfig: writeToolChoice(request.tool_choice) };
  }
  const config = writeGenerationConfig(request, provider);
  if (Object.keys(config).length > 0) body.generationConfig = config;
  return body;
}

function textParts(content: string | ChatTextPart[]): string[] {
  return (typeof content === 'string' ? [content] : content.map((part) => part.text)).filter((text) => text !== '');
}

function textOf(content: string | ChatTextPart[] | null): string {
  if (content === null) return '';
  return typeof content === 'string' ? content : content.map((part) => part.text).join('');
}

function writeMessages(messages: ChatMessage[], provider: string): { contents: GeminiContent[]; system: GeminiPart[] } {
  const contents: GeminiContent[] = [];
  const system: GeminiPart[] = [];
  const names = new Map<string, string>();
  // Gemini wants alternating turns; consecutive messages of one role become one turn.
  const append = (role: 'user' | 'model', parts: GeminiPart[]): void => {
    if (parts.length === 0) return;
    const last = contents[contents.length - 1];
    if (last !== undefined && last.role === role) last.parts.push(...parts);
    else contents.push({ role, parts });
  };
  messages.forEach((message, index) => {
    const param = `messages[${index}]`;
    switch (message.role) {
      case 'system':
      case 'developer': {
        // Gemini has one system instruction: mid-conversation system messages join it in order (§7.1),
        // each text part its own part, so words of separate parts never run together.
        for (const text of textParts(message.content)) system.push({ text });
        break;
      }
      case 'user':
        append('user', writeUserContent(message.content, param, provider));
        break;
      case 'assistant':
        append('model', writeAssistant(message, param, names));
        break;
      case 'tool': {
        const name = names.get(message.tool_call_id);
        if (name === undefined) refuse(`${param}.tool_call_id`, `no earlier assistant tool call has id '${message.tool_call_id}'`);
        append('user', [{ functionResponse: { name, response: { result: parseResult(textOf(message.content)) } } }]);
        break;
      }
      default:
        refuse(`${param}.role`, `unknown role '${(message as { role: string }).role}'`);
    }
  });
  if (contents.length === 0) refuse('messages', 'Gemini needs at least one user or assistant message');
  return { contents, system };
}

/**
 * Gemini's `response` must be an object: the tool's output goes under `result`, as structured data
 * when it is a JSON object or array, else as the text itself (so `"4"` stays the text it was).
 */
function parseResult(text: string): unknown {
  const trimmed = text.trimStart();
  if (!trimmed.startsWith('{') && !trimmed.startsWith('[')) return text;
  try {
    return JSON.parse(text);
  } catch {
    return text;
  }
}

function writeUserContent(content: string | ChatContentPart[], param: string, provider: string): GeminiPart[] {
  if (typeof content === 'string') return content === '' ? [] : [{ text: content }];
  return content.map((part, index) => writeUserPart(part, `${param}.content[${index}]`, provider));
}

function writeUserPart(part: ChatContentPart, param: string, provider: string): GeminiPart {
  if (part.type === 'text' && typeof part['text'] === 'string') return { text: part['text'] };
  if (part.type === 'image_url' && isObject(part['image_url']) && typeof part['image_url']['url'] === 'string') {
    return writeImage(part['image_url']['url'], `${param}.image_url.url`, provider);
  }
  if (part.type === 'input_audio' && isObject(part['input_audio'])) {
    const { data, format } = part['input_audio'];
    if (typeof data !== 'string') refuse(`${param}.input_audio.data`, 'must be base64 text');
    return { inlineData: { mimeType: format === 'mp3' ? 'audio/mp3' : 'audio/wav', data } };
  }
  if (part.type === 'file' && isObject(part['file'])) {
    const fileData = part['file']['file_data'];
    const inline = typeof fileData === 'string' ? parseDataUrl(fileData) : null;
    if (inline === null) refuse(`${param}.file`, `only files sent inline as file_data can be translated to Gemini (provider '${provider}')`);
    return { inlineData: inline };
  }
  refuse(`${param}.type`, `'${part.type}' content cannot be translated to Gemini (provider '${provider}')`);
}

/**
 * Gemini reads images inline, or by `fileData` from its Files API or Cloud Storage. An arbitrary
 * `https:` URL would have to be fetched, and translation does no I/O, so it is refused.
 */
function writeImage(url: string, param: string, provider: string): GeminiPart {
  const inline = parseDataUrl(url);
  if (inline !== null) return { inlineData: inline };
  if (url.startsWith('gs://') || /^https:\/\/generativelanguage\.googleapis\.com\//.test(url)) {
    const mimeType = imageTypeFromUrl(url);
    return { fileData: mimeType === undefined ? { fileUri: url } : { mimeType, fileUri: url } };
  }
  refuse(param, `image URLs cannot be sent to Gemini (provider '${provider}'), which reads only inline data and its own file URIs; send the image as a data: URL`);
}

function writeAssistant(message: Extract<ChatMessage, { role: 'assistant' }>, param: string, names: Map<string, string>): GeminiPart[] {
  // reasoning_content is the target's own thinking from an earlier turn: Gemini does not take it back.
  const parts: GeminiPart[] = [];
  const text = textOf(message.content);
  if (text !== '') parts.push({ text });
  (message.tool_calls ?? []).forEach((call, index) => {
    let args: unknown;
    try {
      args = JSON.parse(call.function.arguments === '' ? '{}' : call.function.arguments);
    } catch {
      refuse(`${param}.tool_calls[${index}].function.arguments`, 'must be a JSON object');
    }
    if (!isObject(args)) refuse(`${param}.tool_calls[${index}].function.arguments`, 'must be a JSON object');
    names.set(call.id, call.function.name);
    // Ids are omitted: Gemini pairs responses with calls by name and order, and rejects ids it did not issue on some models.
    const part: GeminiPart = { functionCall: { name: call.function.name, args } };
    if (index === 0) part.thoughtSignature = FOREIGN_THOUGHT_SIGNATURE;
    parts.push(part);
  });
  return parts;
}

function writeDeclaration(tool: ChatTool, index: number): GeminiFunctionDeclaration {
  if (tool.type !== 'function') refuse(`tools[${index}].type`, `only function tools can be translated to Gemini; got '${String(tool.type)}'`);
  const declaration: GeminiFunctionDeclaration = { name: tool.function.name };
  if (tool.function.description !== undefined) declaration.description = tool.function.description;
  // parametersJsonSchema takes JSON Schema as is; `parameters` would reject $ref, additionalProperties...
  if (tool.function.parameters !== undefined) declaration.parametersJsonSchema = tool.function.parameters;
  return declaration;
}

function writeToolChoice(choice: ChatToolChoice): NonNullable<GeminiRequest['toolConfig']>['functionCallingConfig'] {
  if (choice === 'none') return { mode: 'NONE' };
  if (choice === 'required') return { mode: 'ANY' };
  if (choice === 'auto') return { mode: 'AUTO' };
  return { mode: 'ANY', allowedFunctionNames: [choice.function.name] };
}

function writeGenerationConfig(request: ChatRequest, provider: string): GeminiGenerationConfig {
  const config: GeminiGenerationConfig = {};
  const maxTokens = request.max_completion_tokens ?? request.max_tokens;
  if (maxTokens !== undefined) config.maxOutputTokens = maxTokens;
  if (request.temperature !== undefined) config.temperature = request.temperature;
  if (request.top_p !== undefined) config.topP = request.top_p;
  if (request.top_k !== undefined) config.topK = request.top_k;
  if (request.stop !== undefined) {
    const stop = typeof request.stop === 'string' ? [request.stop] : request.stop;
    if (stop.length > 5) refuse('stop', `Gemini accepts at most 5 stop sequences; got ${stop.length} (provider '${provider}')`);
    if (stop.length > 0) config.stopSequences = stop;
  }
  if (request.seed !== undefined) config.seed = request.seed;
  if (request.presence_penalty !== undefined) config.presencePenalty = request.presence_penalty;
  if (request.frequency_penalty !== undefined) config.frequencyPenalty = request.frequency_penalty;
  if (request.n !== undefined && request.n > 1) config.candidateCount = request.n;
  const format = request.response_format;
  if (format !== undefined && format.type !== 'text') {
    config.responseMimeType = 'application/json';
    if (format.type === 'json_schema' && format.json_schema.schema !== undefined) config.responseJsonSchema = format.json_schema.schema;
  }
  const effort = request.reasoning_effort;
  if (effort !== undefined) {
    if (effort === 'none') config.thinkingConfig = { thinkingBudget: 0 };
    else {
      // xhigh and max go to the table's top, which every 2.5 model accepts.
      const budget = effort === 'xhigh' || effort === 'max' ? 24576 : EFFORT_BUDGETS.find(([name]) => name === effort)?.[1];
      if (budget === undefined) refuse('reasoning_effort', `unknown effort '${effort}'`);
      config.thinkingConfig = { thinkingBudget: budget };
    }
  }
  return config;
}
