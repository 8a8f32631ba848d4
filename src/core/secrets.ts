/**
 * The one scrubber: every secret Sluice knows (configured keys and AWS secrets, and credentials it
 * saw on the way out at run time: key-pool keys, Vertex access tokens, AWS session tokens, the SDK's
 * own key in zero-config calls), removed from every string Sluice emits. Bodies are scrubbed before
 * they are cut, and a cut body loses a trailing piece of a secret, so no part of one survives.
 * @module
 */

/** What replaces a secret. */
export const REDACTED = '[REDACTED]';
/** Shorter values are not treated as secrets (they would match ordinary text). */
export const MIN_SECRET_CHARS = 8;
/** Secrets learned at run time kept at once; the oldest is forgotten first (re-learned on its next use). */
export const MAX_LEARNED_SECRETS = 64;

/** Credential headers whose values are learned as secrets. */
const CREDENTIAL_HEADERS = ['authorization', 'proxy-authorization', 'x-api-key', 'x-goog-api-key', 'api-key', 'x-amz-security-token'];
const encoder = /*@__PURE__*/ new TextEncoder();
const REDACTED_BYTES = /*@__PURE__*/ encoder.encode(REDACTED);

/** The value of a credential header worth learning: a bearer or basic token, or the header's whole value. */
function credentialOf(name: string, value: string): string | null {
  if (name !== 'authorization' && name !== 'proxy-authorization') return value.trim();
  const space = value.indexOf(' ');
  const scheme = space === -1 ? '' : value.slice(0, space).toLowerCase();
  // A SigV4 signature is valid for one request only: learning each would churn the bounded list.
  return scheme === 'bearer' || scheme === 'basic' ? value.slice(space + 1).trim() : null;
}

function indexOfBytes(haystack: Uint8Array, needle: Uint8Array, from: number): number {
  const first = needle[0]!;
  const last = haystack.length - needle.length;
  for (let index = haystack.indexOf(first, from); index !== -1 && index <= last; index = haystack.indexOf(first, index + 1)) {
    let matched = 1;
    while (matched < needle.length && haystack[index + matched] === needle[matched]) matched++;
    if (matched === needle.length) return index;
  }
  return -1;
}

function replaceBytes(haystack: Uint8Array, needle: Uint8Array): Uint8Array {
  let found = indexOfBytes(haystack, needle, 0);
  if (found === -1) return haystack;
  const parts: Uint8Array[] = [];
  let start = 0;
  while (found !== -1) {
    parts.push(haystack.subarray(start, found), REDACTED_BYTES);
    start = found + needle.length;
    found = indexOfBytes(haystack, needle, start);
  }
  parts.push(haystack.subarray(start));
  const out = new Uint8Array(parts.reduce((sum, part) => sum + part.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** The secrets of one instance, and the scrubbing of text and bytes with them. */
export class SecretRegistry {
  readonly #configured: readonly string[];
  /** Insertion-ordered, so the oldest learned secret is the first key. */
  readonly #learned = new Set<string>();
  /** Every secret, longest first, so a secret containing another is replaced whole. */
  #all: string[];
  #bytes: Uint8Array[] | null = null;

  /** @param configured Keys and secrets from the configuration (shorter than {@link MIN_SECRET_CHARS} are ignored). */
  constructor(configured: readonly string[]) {
    this.#configured = [...new Set(configured.filter((secret) => secret.length >= MIN_SECRET_CHARS))];
    this.#all = this.#sorted();
  }

  #sorted(): string[] {
    return [...new Set([...this.#configured, ...this.#learned])].sort((a, b) => b.length - a.length);
  }

  /** How many secrets are known. */
  get size(): number {
    return this.#all.length;
  }

  /**
   * Learns a secret seen at run time (a minted token, a pool key, the SDK's own key).
   * @param secret The value; ignored when shorter than {@link MIN_SECRET_CHARS} or already known.
   */
  learn(secret: string): void {
    if (secret.length < MIN_SECRET_CHARS || this.#learned.has(secret) || this.#configured.includes(secret)) return;
    if (this.#learned.size >= MAX_LEARNED_SECRETS) this.#learned.delete(this.#learned.values().next().value!);
    this.#learned.add(secret);
    this.#all = this.#sorted();
    this.#bytes = null;
  }

  /**
   * Learns the credentials an outgoing request carries (bearer tokens, API-key headers, AWS session tokens).
   * @param headers The request's headers.
   */
  learnFromHeaders(headers: HeadersInit | undefined): void {
    if (headers === undefined) return;
    if (headers instanceof Headers) {
      for (const name of CREDENTIAL_HEADERS) {
        const value = headers.get(name);
        if (value !== null) this.#learnHeader(name, value);
      }
      return;
    }
    const entries = Array.isArray(headers) ? headers : Object.entries(headers as Record<string, string>);
    for (const [name, value] of entries) {
      const lower = name.toLowerCase();
      if (CREDENTIAL_HEADERS.includes(lower) && typeof value === 'string') this.#learnHeader(lower, value);
    }
  }

  #learnHeader(name: string, value: string): void {
    const secret = credentialOf(name, value);
    if (secret !== null) this.learn(secret);
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
   * Scrubs a body, then cuts it to `maxChars`. When the text was cut (here, or before it got here:
   * `isCut`), a trailing piece that starts a secret is dropped too, so no part of a secret survives a cut.
   * @param text The body (whole, or already cut at the capture limit).
   * @param maxChars The longest result.
   * @param isCut Whether the text was already cut (a stream capture at its limit).
   */
  scrubAndCut(text: string, maxChars: number, isCut = false): string {
    let out = this.scrub(text);
    let cut = isCut;
    if (out.length > maxChars) {
      out = out.slice(0, maxChars);
      cut = true;
    }
    return cut ? this.#dropPartialTail(out) : out;
  }

  /** Drops the longest tail of `text` that is the beginning of a known secret. */
  #dropPartialTail(text: string): string {
    let end = text.length;
    for (const secret of this.#all) {
      const first = secret[0]!;
      // Only the last `secret.length - 1` characters can hold a piece: a whole one was already replaced.
      for (let index = text.indexOf(first, Math.max(0, text.length - secret.length + 1)); index !== -1 && index < end; index = text.indexOf(first, index + 1)) {
        if (secret.startsWith(text.slice(index))) {
          end = index;
          break;
        }
      }
    }
    return end === text.length ? text : text.slice(0, end);
  }

  /**
   * Replaces every known secret in a chunk of bytes (UTF-8). A secret split across two chunks is not
   * seen: chunks are handed on one at a time.
   * @param chunk A stream chunk.
   * @returns The same chunk when it holds no secret, else a scrubbed copy.
   */
  scrubBytes(chunk: Uint8Array): Uint8Array {
    if (this.#all.length === 0) return chunk;
    this.#bytes ??= this.#all.map((secret) => encoder.encode(secret));
    let out = chunk;
    for (const secret of this.#bytes) out = replaceBytes(out, secret);
    return out;
  }
}
