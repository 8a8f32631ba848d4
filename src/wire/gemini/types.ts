/**
 * Gemini `generateContent` wire shapes (lowerCamelCase JSON, as the REST API and `@google/genai`
 * send them), plus the small readers every Gemini module shares. Partial on purpose: unknown fields
 * are allowed. See providers.md §4.
 * @module
 */

/** Inline bytes: an image, audio clip or document, base64-encoded. */
export interface GeminiBlob {
  mimeType: string;
  data: string;
}

/** A function call the model made; `args` is an object, not a JSON string. */
export interface GeminiFunctionCall {
  id?: string;
  name: string;
  args?: Record<string, unknown>;
}

/** A function's result sent back to the model; `response` must be an object. */
export interface GeminiFunctionResponse {
  id?: string;
  name: string;
  response: Record<string, unknown>;
}

/** One part of a {@link GeminiContent}: exactly one of the data fields is set. */
export interface GeminiPart {
  text?: string;
  /** Marks a text part as a thought summary. */
  thought?: boolean;
  /** Opaque token that must be echoed on the same part in later turns. */
  thoughtSignature?: string;
  inlineData?: GeminiBlob;
  fileData?: { mimeType?: string; fileUri: string };
  functionCall?: GeminiFunctionCall;
  functionResponse?: GeminiFunctionResponse;
  [key: string]: unknown;
}

/** A turn of the conversation. */
export interface GeminiContent {
  role?: 'user' | 'model';
  parts: GeminiPart[];
}

/** A function the model may call; `parametersJsonSchema` carries full JSON Schema. */
export interface GeminiFunctionDeclaration {
  name: string;
  description?: string;
  parameters?: Record<string, unknown>;
  parametersJsonSchema?: Record<string, unknown>;
}

/** `generationConfig` fields Sluice translates. */
export interface GeminiGenerationConfig {
  maxOutputTokens?: number;
  temperature?: number;
  topP?: number;
  topK?: number;
  stopSequences?: string[];
  seed?: number;
  presencePenalty?: number;
  frequencyPenalty?: number;
  candidateCount?: number;
  responseMimeType?: string;
  responseSchema?: Record<string, unknown>;
  responseJsonSchema?: Record<string, unknown>;
  thinkingConfig?: { thinkingBudget?: number; thinkingLevel?: string; includeThoughts?: boolean };
}

/** A `generateContent` request body (the model and streaming live in the URL). */
export interface GeminiRequest {
  contents: GeminiContent[];
  systemInstruction?: GeminiContent;
  tools?: Array<{ functionDeclarations: GeminiFunctionDeclaration[] }>;
  toolConfig?: { functionCallingConfig: { mode: 'AUTO' | 'ANY' | 'NONE'; allowedFunctionNames?: string[] } };
  generationConfig?: GeminiGenerationConfig;
}

/** Token counts of an answer (§4.4). */
export interface GeminiUsageMetadata {
  promptTokenCount?: number;
  candidatesTokenCount?: number;
  totalTokenCount?: number;
  cachedContentTokenCount?: number;
  thoughtsTokenCount?: number;
  toolUsePromptTokenCount?: number;
  [key: string]: unknown;
}

/** One candidate answer. */
export interface GeminiCandidate {
  content?: { role?: string; parts?: GeminiPart[] };
  finishReason?: string;
  finishMessage?: string;
  index?: number;
  [key: string]: unknown;
}

/** A `generateContent` answer, and each event of a `streamGenerateContent?alt=sse` stream. */
export interface GeminiResponse {
  candidates?: GeminiCandidate[];
  promptFeedback?: { blockReason?: string; [key: string]: unknown };
  usageMetadata?: GeminiUsageMetadata;
  modelVersion?: string;
  responseId?: string;
  [key: string]: unknown;
}

/** The error body every Google API answers with (§4.6). */
export interface GeminiErrorBody {
  error: { code: number; message: string; status: string; details?: unknown[] };
}

/** A JSON object, narrowed from `unknown`. */
export type JsonObject = Record<string, unknown>;

/**
 * Tells whether a value is a plain JSON object.
 * @param value Anything parsed from JSON.
 */
export function isObject(value: unknown): value is JsonObject {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/**
 * Reads a field by its lowerCamelCase name, falling back to the snake_case spelling: Google's JSON
 * parser accepts both, and the REST docs' curl examples use snake_case (`inline_data`, `mime_type`).
 * @param object The object to read.
 * @param name The lowerCamelCase field name.
 * @returns The value, or `undefined` when neither spelling is present.
 */
export function field(object: JsonObject, name: string): unknown {
  const value = object[name];
  if (value !== undefined) return value;
  const snake = name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
  return snake === name ? undefined : object[snake];
}

/**
 * Reads a finite number field.
 * @param object The object to read.
 * @param name The lowerCamelCase field name.
 */
export function numberField(object: JsonObject, name: string): number | undefined {
  const value = field(object, name);
  return typeof value === 'number' && Number.isFinite(value) ? value : undefined;
}

/**
 * Reads a string field.
 * @param object The object to read.
 * @param name The lowerCamelCase field name.
 */
export function stringField(object: JsonObject, name: string): string | undefined {
  const value = field(object, name);
  return typeof value === 'string' ? value : undefined;
}

/**
 * Splits a `data:<mime>;base64,<data>` URL.
 * @param url Any URL.
 * @returns Its MIME type and base64 data, or `null` when it is not a base64 data URL.
 */
export function parseDataUrl(url: string): { mimeType: string; data: string } | null {
  const match = /^data:([^;,]+)((?:;[^;,=]+=[^;,]*)*);base64,(.*)$/s.exec(url);
  if (match === null) return null;
  return { mimeType: match[1]!.toLowerCase(), data: match[3]! };
}

const IMAGE_TYPES: Readonly<Record<string, string>> = {
  png: 'image/png',
  jpg: 'image/jpeg',
  jpeg: 'image/jpeg',
  webp: 'image/webp',
  gif: 'image/gif',
  heic: 'image/heic',
  heif: 'image/heif',
};

/**
 * Guesses an image's MIME type from the extension of a URL's path.
 * @param url An `https:` or `gs:` URL.
 * @returns The MIME type, or `undefined` for an unknown or missing extension.
 */
export function imageTypeFromUrl(url: string): string | undefined {
  const path = url.split(/[?#]/, 1)[0] ?? '';
  const dot = path.lastIndexOf('.');
  if (dot === -1 || dot < path.lastIndexOf('/')) return undefined;
  return IMAGE_TYPES[path.slice(dot + 1).toLowerCase()];
}
