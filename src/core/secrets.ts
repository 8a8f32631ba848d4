/**
 * The one scrubber: every secret Sluice knows (configured keys and AWS secrets, and credentials it
 * saw on the way out at run time: key-pool keys, Vertex access tokens, AWS session tokens, the SDK's
 * own key in zero-config calls), removed from every string Sluice emits; record bodies are scrubbed
 * before they are cut. Loaded when an instance is created, beside the price catalog: the first
 * upstream request and the first record wait for it.
 * @module
 */

import type { CallRecord } from '../events/record.js';

/** What replaces a secret. */
export const REDACTED = '[REDACTED]';
/** Shorter values are not treated as secrets (they would match ordinary text). */
export const MIN_SECRET_CHARS = 8;
/** Secrets learned at run time kept at once; the oldest is forgotten first (re-learned on its next use). */
export const MAX_LEARNED_SECRETS = 64;

/** Credential headers: their values are learned as secrets, and a request with one never follows a redirect elsewhere. */
const CREDENTIAL_HEADERS = new Set(['authorization', 'proxy-authorization', 'x-api-key', 'x-goog-api-key', 'api-key', 'x-amz-security-token', 'cookie']);

/** The secrets of one instance, and the scrubbing of text and bytes with them. */
export class SecretRegistry {
  /** Configured secrets, never forgotten. */
  readonly #configured: ReadonlySet<string>;
  /** Insertion-ordered, so the oldest learned secret is the first key. */
  readonly #learned = new Set<string>();
  /** Every secret, longest first, so a secret containing another is replaced whole. */
  #all: string[] = [];

  /** @param configured Keys and secrets from the configuration (shorter than {@link MIN_SECRET_CHARS} are ignored). */
  constructor(configured: readonly string[]) {
    this.#configured = new Set(configured.filter((secret) => secret.length >= MIN_SECRET_CHARS));
    this.#sort();
  }

  #sort(): void {
    this.#all = [...this.#configured, ...this.#learned].sort((a, b) => b.length - a.length);
  }

  /** Every known secret, longest first. */
  get secrets(): readonly string[] {
    return this.#all;
  }

  /**
   * Learns a secret seen at run time (a minted token, a pool key, the SDK's own key).
   * @param secret The value; ignored when shorter than {@link MIN_SECRET_CHARS} or already known.
   */
  learn(secret: string): void {
    if (secret.length < MIN_SECRET_CHARS || this.#learned.has(secret) || this.#configured.has(secret)) return;
    if (this.#learned.size >= MAX_LEARNED_SECRETS) this.#learned.delete(this.#learned.values().next().value!);
    this.#learned.add(secret);
    this.#sort();
  }

  /**
   * Learns the credentials an outgoing request carries: API-key headers, AWS session tokens, bearer and
   * basic tokens (not SigV4 signatures, valid for one request only, which would churn the bounded list).
   * @param headers The request's headers.
   * @returns Whether the request carries a credential (a cookie included).
   */
  learnFromHeaders(headers: HeadersInit | undefined): boolean {
    let found = false;
    if (headers instanceof Headers) {
      // A few lookups: iterating a Headers object sorts its entries.
      for (const name of CREDENTIAL_HEADERS) {
        const value = headers.get(name);
        if (value !== null) found = this.#learnHeader(name, value);
      }
    } else if (Array.isArray(headers)) {
      for (const [name, value] of headers) if (CREDENTIAL_HEADERS.has(name.toLowerCase())) found = this.#learnHeader(name.toLowerCase(), value);
    } else if (headers !== undefined) {
      const record = headers as Record<string, string>;
      for (const name in record) if (CREDENTIAL_HEADERS.has(name.toLowerCase())) found = this.#learnHeader(name.toLowerCase(), record[name]!);
    }
    return found;
  }

  #learnHeader(name: string, value: string): true {
    const scheme = /^(?:bearer|basic) +/i.exec(value);
    if (scheme !== null) this.learn(value.slice(scheme[0].length).trim());
    else if (!name.endsWith('authorization') && name !== 'cookie') this.learn(value.trim());
    return true;
  }

  /**
   * Replaces every known secret in a text.
   * @param text Any text Sluice is about to emit.
   * @returns The text, or a copy with each secret replaced by {@link REDACTED}.
   */
  scrub(text: string): string {
    let out = text;
    for (const secret of this.#all) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
    return out;
  }

  /**
   * Scrubs a record in place: its bodies (scrubbed, then cut at `maxChars`, see {@link scrubAndCut})
   * and its error message.
   * @param record A record whose bodies are whole, or a stream's text cut where it was captured.
   * @param maxChars `record.maxBodyChars`.
   * @returns The record.
   */
  scrubRecord(record: CallRecord, maxChars: number): CallRecord {
    const { requestBody, responseBody, error } = record;
    if (requestBody !== null) record.requestBody = scrubAndCut(this, requestBody, maxChars);
    // A stream's text arrives already cut at the limit where it was captured.
    if (responseBody !== null) record.responseBody = scrubAndCut(this, responseBody, maxChars, responseBody.length >= maxChars);
    if (error !== null) record.error = { class: error.class, message: this.scrub(error.message) };
    return record;
  }

  /**
   * A scrubber for one stream's chunks, seen one by one: see {@link StreamScrubber}.
   * @returns A new scrubber.
   */
  streamScrubber(): StreamScrubber {
    return new StreamScrubber(this);
  }
}

/**
 * Scrubs a body, then cuts it to `maxChars`. When the text was cut (here, or before it got here:
 * `isCut`, a stream's text captured up to the limit), a trailing piece that begins a known secret is
 * dropped too, so no part of a secret survives a cut.
 * @param secrets The instance's secrets.
 * @param text The body (whole, or already cut at the capture limit).
 * @param maxChars The longest result.
 * @param isCut Whether the text was already cut.
 * @example
 * scrubAndCut(new SecretRegistry(['sk-0123456789']), '{"key":"sk-0123456789"}', 12); // '{"key":"[RED'
 */
export function scrubAndCut(secrets: SecretRegistry, text: string, maxChars: number, isCut = false): string {
  let out = secrets.scrub(text);
  if (out.length > maxChars) out = out.slice(0, maxChars);
  else if (!isCut) return out;
  return out.slice(0, secretPieceStart(secrets, out));
}

/**
 * Where a trailing piece of text that begins a known secret starts (the text's length when none does).
 * @param secrets The instance's secrets.
 * @param text Scrubbed text: whole secrets in it were already replaced.
 */
function secretPieceStart(secrets: SecretRegistry, text: string): number {
  let end = text.length;
  for (const secret of secrets.secrets) {
    // Only the last `secret.length - 1` characters can hold a piece: a whole one was already replaced.
    for (let index = text.indexOf(secret[0]!, Math.max(0, text.length - secret.length + 1)); index !== -1 && index < end; index = text.indexOf(secret[0]!, index + 1)) {
      if (secret.startsWith(text.slice(index))) {
        end = index;
        break;
      }
    }
  }
  return end;
}

/**
 * Scrubs a stream chunk by chunk for a consumer that sees every chunk (`logStreamEvent`): a trailing
 * piece that may begin a secret is held back and joined to the next chunk, so a secret split across
 * chunks is replaced whole. A piece still held when the stream ends is dropped (it began a secret).
 */
export class StreamScrubber {
  readonly #secrets: SecretRegistry;
  readonly #decoder = new TextDecoder();
  #held = '';

  /** @param secrets The instance's secrets. */
  constructor(secrets: SecretRegistry) {
    this.#secrets = secrets;
  }

  /**
   * Scrubs the next chunk.
   * @param chunk The chunk as it went to the SDK.
   * @returns What the consumer may see of it (the chunk itself when it holds nothing to change).
   */
  push(chunk: Uint8Array): Uint8Array {
    if (this.#secrets.secrets.length === 0) return chunk;
    const decoded = this.#decoder.decode(chunk, { stream: true });
    const hadHeld = this.#held !== '';
    const clean = this.#secrets.scrub(this.#held + decoded);
    const end = secretPieceStart(this.#secrets, clean);
    this.#held = clean.slice(end);
    const out = end === clean.length ? clean : clean.slice(0, end);
    // The chunk itself when nothing changed (and nothing held from before goes with it).
    return !hadHeld && out === decoded ? chunk : encoder.encode(out);
  }
}

const encoder = /*@__PURE__*/ new TextEncoder();
