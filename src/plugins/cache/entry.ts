/**
 * What the cache stores for one answer, and its text form: one line of JSON metadata, a newline, then
 * the body exactly as the SDK received it (JSON text, or the stream's text with its chunk boundaries in
 * the metadata). Keeping the body raw means a hit of the same shape is served without parsing it.
 * @module
 */
import type { Usage } from '../../events/record.js';

/** The metadata stored before an answer's body. */
export interface EntryMeta {
  /** Format version; entries of another version are ignored. */
  version: 1;
  /** The canonical request text's length, compared on a hit. */
  length: number;
  /** The request's check hash, compared on a hit. */
  check: string;
  /** `json` for a whole body, `sse` for a server-sent event stream. */
  kind: 'json' | 'sse';
  /** The HTTP status (2xx). */
  status: number;
  /** The response's `content-type`. */
  contentType: string;
  /** The model the provider said answered, if it said. */
  model: string | null;
  /** The usage the call reported (so a hit is priced as what it saved, and streams can replay it). */
  usage: Usage;
  /** For `sse`: whether the stored stream carries the usage chunk (the caller asked `include_usage`). */
  hasUsageChunk: boolean;
  /** For `sse`: the length of each chunk, in characters, in order; they add up to the body's length. */
  chunks: number[];
}

/** A stored answer, decoded. */
export interface CacheEntry {
  meta: EntryMeta;
  /** The body text. */
  body: string;
}

/**
 * Serialises an entry for a store.
 * @param entry The metadata and body.
 * @returns The text to store.
 */
export function encodeEntry(entry: CacheEntry): string {
  // JSON.stringify escapes every newline, so the first '\n' ends the metadata.
  return `${JSON.stringify(entry.meta)}\n${entry.body}`;
}

const isCount = (value: unknown): boolean => typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;
const isCountOrNull = (value: unknown): boolean => value === null || isCount(value);

function isUsage(value: unknown): value is Usage {
  if (typeof value !== 'object' || value === null) return false;
  const usage = value as Record<string, unknown>;
  return (
    isCountOrNull(usage['inputTokens']) &&
    isCountOrNull(usage['outputTokens']) &&
    isCountOrNull(usage['cachedTokens']) &&
    isCountOrNull(usage['reasoningTokens']) &&
    isCountOrNull(usage['cacheWriteTokens'] ?? null)
  );
}

/**
 * Reads a stored entry, rejecting anything malformed (another version, a truncated value, a foreign key).
 * @param text What the store returned.
 * @returns The entry, or `null` when it cannot be used.
 */
export function decodeEntry(text: string): CacheEntry | null {
  const newline = text.indexOf('\n');
  if (newline === -1) return null;
  let meta: unknown;
  try {
    meta = JSON.parse(text.slice(0, newline));
  } catch {
    return null;
  }
  if (typeof meta !== 'object' || meta === null) return null;
  const candidate = meta as Record<string, unknown>;
  const body = text.slice(newline + 1);
  if (
    candidate['version'] !== 1 ||
    !isCount(candidate['length']) ||
    typeof candidate['check'] !== 'string' ||
    (candidate['kind'] !== 'json' && candidate['kind'] !== 'sse') ||
    typeof candidate['status'] !== 'number' ||
    candidate['status'] < 200 ||
    candidate['status'] > 299 ||
    typeof candidate['contentType'] !== 'string' ||
    (candidate['model'] !== null && typeof candidate['model'] !== 'string') ||
    !isUsage(candidate['usage']) ||
    typeof candidate['hasUsageChunk'] !== 'boolean' ||
    !Array.isArray(candidate['chunks']) ||
    !candidate['chunks'].every(isCount)
  ) {
    return null;
  }
  const entry = { meta: meta as EntryMeta, body };
  if (entry.meta.kind === 'sse' && entry.meta.chunks.reduce((sum, length) => sum + length, 0) !== body.length) return null;
  entry.meta.usage = { ...entry.meta.usage, cacheWriteTokens: entry.meta.usage.cacheWriteTokens ?? null };
  return entry;
}

/**
 * Tells whether a stored entry answers this request and not another one whose key collided.
 * @param entry The stored entry.
 * @param length The request's canonical text length.
 * @param check The request's check hash.
 */
export function matchesRequest(entry: CacheEntry, length: number, check: string): boolean {
  return entry.meta.length === length && entry.meta.check === check;
}
