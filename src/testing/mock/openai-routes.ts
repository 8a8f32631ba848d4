/**
 * The mock's OpenAI routes (also spoken by Azure): embeddings, models, the pass-through echo, and the
 * dispatcher that picks a renderer for a request in OpenAI's format.
 *
 * @module
 */

import type { MockReplyStep } from './script.js';
import { MOCK_CREATED_S, estimateTokens, isRecord, json, type Render, type RouteInput } from './render.js';
import { errorFields, errorRender, invalidJsonRender, missingModelRender, missingParameterRender } from './openai-common.js';
import { renderChat } from './openai-chat.js';
import { renderResponses } from './openai-responses.js';

/** The models `GET /v1/models` lists by default. */
export const DEFAULT_MODELS: readonly string[] = [
  'gpt-4o-mini',
  'gpt-4o',
  'gpt-4.1',
  'text-embedding-3-small',
  'text-embedding-3-large',
];

const DEFAULT_DIMENSIONS = 8;
const MAX_DIMENSIONS = 4096;

function fnv1a(text: string): number {
  let hash = 0x811c9dc5;
  for (let index = 0; index < text.length; index += 1) {
    hash ^= text.charCodeAt(index);
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  // murmur3's finaliser, so inputs differing in one character get unrelated vectors.
  hash ^= hash >>> 16;
  hash = Math.imul(hash, 0x85ebca6b);
  hash ^= hash >>> 13;
  hash = Math.imul(hash, 0xc2b2ae35);
  hash ^= hash >>> 16;
  return hash >>> 0;
}

/**
 * A deterministic unit-length vector for a text, rounded to float32 so both encodings agree.
 * @param text - the input
 * @param dimensions - the vector length
 */
export function mockEmbedding(text: string, dimensions: number): number[] {
  const raw: number[] = [];
  let norm = 0;
  for (let index = 0; index < dimensions; index += 1) {
    const value = (fnv1a(`${index}:${text}`) / 0xffffffff) * 2 - 1;
    raw.push(value);
    norm += value * value;
  }
  const scale = norm === 0 ? 1 : 1 / Math.sqrt(norm);
  return raw.map((value) => Math.fround(value * scale));
}

function toBase64(vector: readonly number[]): string {
  const view = new DataView(new ArrayBuffer(vector.length * 4));
  vector.forEach((value, index) => view.setFloat32(index * 4, value, true));
  return Buffer.from(view.buffer).toString('base64');
}

interface EmbeddingInput {
  readonly key: string;
  readonly tokens: number;
}

function embeddingInputs(input: unknown): EmbeddingInput[] | undefined {
  if (typeof input === 'string') return [{ key: input, tokens: estimateTokens(input) }];
  if (!Array.isArray(input) || input.length === 0) return undefined;
  if (input.every((item) => typeof item === 'number')) return [{ key: input.join(','), tokens: input.length }];
  const items: EmbeddingInput[] = [];
  for (const item of input) {
    if (typeof item === 'string') items.push({ key: item, tokens: estimateTokens(item) });
    else if (Array.isArray(item)) items.push({ key: item.join(','), tokens: item.length });
    else return undefined;
  }
  return items;
}

function renderEmbeddings(input: RouteInput, reply: MockReplyStep | undefined): Render {
  const body = input.body;
  if (!isRecord(body)) return invalidJsonRender();
  const model = input.route.pathModel ?? body['model'];
  if (typeof model !== 'string') return missingModelRender();
  if (body['input'] === undefined) return missingParameterRender('input');
  const items = embeddingInputs(body['input']);
  if (items === undefined) {
    return errorRender(400, errorFields(400, { message: "'input' : input must be a string or an array.", param: 'input', code: 'invalid_value' }));
  }
  const requested = body['dimensions'];
  const dimensions = requested === undefined ? DEFAULT_DIMENSIONS : requested;
  if (typeof dimensions !== 'number' || !Number.isInteger(dimensions) || dimensions < 1 || dimensions > MAX_DIMENSIONS) {
    return errorRender(
      400,
      errorFields(400, { message: `Invalid value for 'dimensions': ${JSON.stringify(requested)}.`, param: 'dimensions', code: 'invalid_value' }),
    );
  }
  const isBase64 = body['encoding_format'] === 'base64';
  const promptTokens = reply?.usage?.prompt_tokens ?? items.reduce((total, item) => total + item.tokens, 0);
  return json(200, {
    object: 'list',
    data: items.map((item, index) => {
      const vector = mockEmbedding(item.key, dimensions);
      return { object: 'embedding', index, embedding: isBase64 ? toBase64(vector) : vector };
    }),
    model: reply?.model ?? model,
    usage: { prompt_tokens: promptTokens, total_tokens: promptTokens },
  });
}

function modelObject(id: string): Record<string, unknown> {
  return { id, object: 'model', created: MOCK_CREATED_S, owned_by: id.startsWith('ft:') ? 'user-mock' : 'system' };
}

function renderModel(id: string, models: readonly string[]): Render {
  if (models.includes(id)) return json(200, modelObject(id));
  return errorRender(
    404,
    errorFields(404, {
      message: `The model '${id}' does not exist`,
      param: 'model',
      code: 'model_not_found',
    }),
  );
}

function renderEcho(input: RouteInput): Render {
  return json(200, {
    object: 'mock.echo',
    method: input.method,
    path: input.path,
    contentType: input.contentType ?? null,
    bytes: input.bodyBytes,
  });
}

/**
 * Renders the healthy answer for a request in OpenAI's format (or anything no dialect claims), with a
 * scripted reply's overrides where they apply.
 * @param input - the request
 * @param reply - the scripted reply, if any
 * @param models - the model ids the mock knows
 */
export function renderOpenAiRoute(input: RouteInput, reply: MockReplyStep | undefined, models: readonly string[]): Render {
  const { method, path } = input;
  if (input.route.operation === 'chat') return renderChat(input, reply);
  if (input.route.operation === 'responses') return renderResponses(input, reply);
  if (input.route.operation === 'embeddings') return renderEmbeddings(input, reply);
  if (method === 'GET' && path === '/v1/models') return json(200, { object: 'list', data: models.map(modelObject) });
  if (method === 'GET' && path.startsWith('/v1/models/') && path.length > '/v1/models/'.length) {
    const encoded = path.slice('/v1/models/'.length);
    let id = encoded;
    try {
      id = decodeURIComponent(encoded);
    } catch {
      // A malformed escape is looked up as written.
    }
    return renderModel(id, models);
  }
  return renderEcho(input);
}
