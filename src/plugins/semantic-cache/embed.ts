/**
 * Turning a prompt into a unit vector: through an OpenAI-compatible `/embeddings` request made with
 * the fetch the user gave (Sluice's own, so the request is routed and recorded like any call), or
 * through the user's function; bounded in time, given up when the caller gives up.
 * @module
 */
import type { EmbedFunction, EmbedThroughFetch } from './options.js';

/** One way of embedding a text. */
export interface Embedder {
  /** What identifies the vectors' space, part of the exact key: vectors of two embedders never meet. */
  readonly id: string;
  /**
   * Embeds one text.
   * @param text The text.
   * @param signal Aborts the work.
   * @param user The end user of the call, to attribute the embedding call to.
   * @returns The raw vector.
   */
  embed(text: string, signal: AbortSignal, user: string | null): Promise<ArrayLike<number>>;
}

const DEFAULT_BASE_URL = 'https://api.openai.com/v1';

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Decodes an `encoding_format: "base64"` embedding: little-endian float32 values. */
function fromBase64(text: string): Float32Array {
  const binary = atob(text);
  const view = new DataView(new ArrayBuffer(binary.length));
  for (let index = 0; index < binary.length; index++) view.setUint8(index, binary.charCodeAt(index));
  const out = new Float32Array(Math.floor(binary.length / 4));
  for (let index = 0; index < out.length; index++) out[index] = view.getFloat32(index * 4, true);
  return out;
}

function throughFetch(options: EmbedThroughFetch): Embedder {
  const url = `${(options.baseURL ?? DEFAULT_BASE_URL).replace(/\/+$/, '')}/embeddings`;
  const body: Record<string, unknown> = { model: options.model, encoding_format: 'float' };
  if (options.dimensions !== undefined) body['dimensions'] = options.dimensions;
  return {
    id: `${url}\n${options.model}\n${options.dimensions ?? ''}`,
    async embed(text, signal, user) {
      const headers: Record<string, string> = {
        ...options.headers,
        'content-type': 'application/json',
        // Not cached by an exact cache; tagged, so records, budgets and limits can tell these calls apart.
        'x-sluice-cache': 'skip',
        'x-sluice-tags': 'semantic-cache',
      };
      if (user !== null) headers['x-sluice-user'] = user;
      const response = await options.fetch(url, { method: 'POST', headers, body: JSON.stringify({ ...body, input: text }), signal });
      if (!response.ok) {
        await response.body?.cancel();
        throw new Error(`the embedding request answered HTTP ${response.status}`);
      }
      const json: unknown = await response.json();
      const first = isObject(json) && Array.isArray(json['data']) ? (json['data'] as unknown[])[0] : undefined;
      const embedding = isObject(first) ? first['embedding'] : undefined;
      if (Array.isArray(embedding)) return embedding as number[];
      if (typeof embedding === 'string') return fromBase64(embedding);
      throw new Error('the embedding answer has no data[0].embedding');
    },
  };
}

function throughFunction(embed: EmbedFunction): Embedder {
  return {
    id: 'function',
    async embed(text, signal) {
      const vectors = await embed([text], signal);
      const vector = Array.isArray(vectors) ? vectors[0] : undefined;
      if (vector === undefined || typeof vector.length !== 'number') throw new Error('the embed function returned no vector for the text');
      return vector;
    },
  };
}

/**
 * Builds the embedder an `embed` option describes.
 * @param option A `{ fetch, model }` object or a function.
 * @returns The embedder.
 */
export function createEmbedder(option: EmbedThroughFetch | EmbedFunction): Embedder {
  return typeof option === 'function' ? throughFunction(option) : throughFetch(option);
}

/**
 * Scales a vector to unit length, so cosine similarity is a dot product.
 * @param values The raw vector.
 * @returns The unit vector.
 * @throws {Error} when the vector is empty, not finite or all zeros.
 */
export function toUnitVector(values: ArrayLike<number>): Float32Array {
  const vector = Float32Array.from(values);
  let norm = 0;
  for (let index = 0; index < vector.length; index++) norm += vector[index]! * vector[index]!;
  if (vector.length === 0 || !Number.isFinite(norm) || norm === 0) throw new Error('the embedding is empty, zero or not finite');
  const scale = 1 / Math.sqrt(norm);
  for (let index = 0; index < vector.length; index++) vector[index]! *= scale;
  return vector;
}

/**
 * Embeds a text within a time limit, and stops waiting when the caller aborts.
 * @param embedder The embedder.
 * @param text The prompt text.
 * @param timeoutMs The time limit; past it the work is aborted and the promise rejects.
 * @param caller The caller's signal: on abort the work is aborted and the promise resolves `null`
 * (the caller gave up; the embedder did not fail).
 * @param user The end user, for attribution.
 * @returns The unit vector, or `null` when the caller aborted.
 */
export function embedWithin(embedder: Embedder, text: string, timeoutMs: number, caller: AbortSignal | null, user: string | null): Promise<Float32Array | null> {
  if (caller?.aborted === true) return Promise.resolve(null);
  const controller = new AbortController();
  return new Promise<Float32Array | null>((resolve, reject) => {
    let settled = false;
    const settle = (finish: () => void): void => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      caller?.removeEventListener('abort', onAbort);
      finish();
    };
    const onAbort = (): void => {
      controller.abort(caller!.reason);
      settle(() => resolve(null));
    };
    const timer = setTimeout(() => {
      const error = new Error(`the embedding did not answer within ${timeoutMs} ms`);
      controller.abort(error);
      settle(() => reject(error));
    }, timeoutMs);
    caller?.addEventListener('abort', onAbort, { once: true });
    let pending: Promise<ArrayLike<number>>;
    try {
      pending = embedder.embed(text, controller.signal, user);
    } catch (error) {
      settle(() => reject(new Error(`the embedding failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error })));
      return;
    }
    pending.then(
      (vector) => {
        try {
          const unit = toUnitVector(vector);
          settle(() => resolve(unit));
        } catch (error) {
          settle(() => reject(error));
        }
      },
      (error: unknown) => settle(() => reject(new Error(`the embedding failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error }))),
    );
  });
}
