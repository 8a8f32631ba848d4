/**
 * The cache key: a canonical text of what determines the answer (dialect, operation, requested model,
 * and the body without the fields that do not change it, object keys sorted), hashed with a fast
 * synchronous non-cryptographic hash. The text's length and a second, independent hash go into the
 * stored entry, so a key collision is detected and treated as a miss.
 * @module
 */

/** What {@link hashText} returns. */
export interface TextHash {
  /** The key part: 16 hex characters (64 bits). */
  key: string;
  /** A check value stored with the answer and compared on a hit: 8 hex characters (32 bits). */
  check: string;
}

/**
 * Top-level request fields that do not change the answer, left out of the key: who is asking (`user`,
 * `safety_identifier`, `metadata`), how it is delivered (`stream`, `stream_options`), where the provider
 * keeps it (`store`), and billing or routing hints (`service_tier`, `prompt_cache_key`,
 * `prompt_cache_retention`). Everything else, unknown fields included, is part of the key.
 */
export const IGNORED_FIELDS: ReadonlySet<string> = /*@__PURE__*/ new Set([
  'user',
  'safety_identifier',
  'metadata',
  'stream',
  'stream_options',
  'store',
  'service_tier',
  'prompt_cache_key',
  'prompt_cache_retention',
]);

/** Deeper bodies are not keyed (the cache steps aside): recursion stays far from the stack's limit. */
export const MAX_KEY_DEPTH = 256;

/** A body nested deeper than {@link MAX_KEY_DEPTH}: the cache steps aside for it. */
export class KeyDepthError extends Error {
  override name = 'KeyDepthError';
  constructor() {
    super(`the request body is nested deeper than ${MAX_KEY_DEPTH} levels`);
  }
}

function canonical(value: unknown, skip: ReadonlySet<string> | null, depth = 0): string {
  if (value === null || typeof value !== 'object') {
    // Like JSON.stringify: non-finite numbers become null; undefined and functions are handled by callers.
    return typeof value === 'number' && !Number.isFinite(value) ? 'null' : (JSON.stringify(value) ?? 'null');
  }
  if (depth >= MAX_KEY_DEPTH) throw new KeyDepthError();
  // String concatenation (V8 ropes) measured faster here than collecting parts and joining them.
  if (Array.isArray(value)) {
    let out = '[';
    for (let index = 0; index < value.length; index++) {
      if (index > 0) out += ',';
      const item: unknown = value[index];
      out += item === undefined || typeof item === 'function' || typeof item === 'symbol' ? 'null' : canonical(item, null, depth + 1);
    }
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    if (skip !== null && skip.has(key)) continue;
    const item = record[key];
    if (item === undefined || typeof item === 'function' || typeof item === 'symbol') continue;
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + canonical(item, null, depth + 1);
    first = false;
  }
  return out + '}';
}

/**
 * Serialises a JSON value with object keys sorted at every depth, so key order never changes the text.
 * @param value A JSON value (as `JSON.parse` returns).
 * @param skip Top-level object keys to leave out.
 * @returns The canonical JSON text.
 * @example
 * canonicalJson({ b: 1, a: { d: 2, c: 3 }, user: 'x' }, new Set(['user'])); // '{"a":{"c":3,"d":2},"b":1}'
 */
export function canonicalJson(value: unknown, skip: ReadonlySet<string> | null = null): string {
  return canonical(value, skip);
}

function hex32(value: number): string {
  return (value >>> 0).toString(16).padStart(8, '0');
}

/**
 * Hashes a text: two 32-bit multiply-xor lanes mixed into 64 bits for the key (the cyrb53 scheme,
 * without its truncation to 53 bits), and a third lane (FNV-1a with a murmur3 finaliser) for the
 * check, reading two UTF-16 units per step: about 2 ns per character. Not cryptographic, so not
 * collision-resistant against an adversary.
 * @param text The canonical request text.
 * @returns The key and check values in hex.
 * @example
 * hashText('{"model":"gpt-4o-mini"}'); // { key: '…16 hex…', check: '…8 hex…' }
 */
export function hashText(text: string): TextHash {
  let h1 = 0xdeadbeef;
  let h2 = 0x41c6ce57;
  let h3 = 0x811c9dc5;
  const length = text.length;
  let index = 0;
  // Two UTF-16 units per step: half the multiplications; measured 10-20 % faster than one at a time.
  for (; index + 1 < length; index += 2) {
    const word = text.charCodeAt(index) | (text.charCodeAt(index + 1) << 16);
    h1 = Math.imul(h1 ^ word, 2654435761);
    h2 = Math.imul(h2 ^ word, 1597334677);
    h3 = Math.imul(h3 ^ word, 16777619);
  }
  if (index < length) {
    const word = text.charCodeAt(index);
    h1 = Math.imul(h1 ^ word, 2654435761);
    h2 = Math.imul(h2 ^ word, 1597334677);
    h3 = Math.imul(h3 ^ word, 16777619);
  }
  h1 = Math.imul(h1 ^ (h1 >>> 16), 2246822507);
  h1 ^= Math.imul(h2 ^ (h2 >>> 13), 3266489909);
  h2 = Math.imul(h2 ^ (h2 >>> 16), 2246822507);
  h2 ^= Math.imul(h1 ^ (h1 >>> 13), 3266489909);
  h3 ^= length;
  h3 = Math.imul(h3 ^ (h3 >>> 16), 0x85ebca6b);
  h3 = Math.imul(h3 ^ (h3 >>> 13), 0xc2b2ae35);
  h3 ^= h3 >>> 16;
  return { key: hex32(h2) + hex32(h1), check: hex32(h3) };
}

/** What the key is built from. */
export interface KeyInput {
  dialect: string;
  operation: string;
  requestedModel: string | null;
  /**
   * Whether the answer's shape (stream or JSON) is part of the key: `null` when the cache converts
   * between the two (chat in the OpenAI, Anthropic and Gemini dialects), else the call's `isStream`.
   */
  shape: boolean | null;
  /** The request body as it will be sent. */
  body: unknown;
}

/** A computed key. */
export interface CacheKey {
  /** The store key: `<namespace>:<hash>`. */
  key: string;
  /** The check value stored with the answer. */
  check: string;
  /** The canonical text's length, stored with the answer as a second check. */
  length: number;
}

/**
 * Builds the cache key of a call.
 * @param input What determines the answer.
 * @param namespace The namespace.
 * @param hash The hash function.
 * @returns The store key and the values that detect a collision.
 */
export function cacheKey(input: KeyInput, namespace: string, hash: (text: string) => TextHash): CacheKey {
  const shape = input.shape === null ? '*' : input.shape ? 'stream' : 'json';
  const text = `${input.dialect}\n${input.operation}\n${input.requestedModel ?? ''}\n${shape}\n${canonicalJson(input.body, IGNORED_FIELDS)}`;
  const hashed = hash(text);
  return { key: `${namespace}:${hashed.key}`, check: hashed.check, length: text.length };
}
