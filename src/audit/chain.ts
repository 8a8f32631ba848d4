/**
 * The audit trail's hash chain: canonical JSON (RFC 8785 style), SHA-256 and HMAC-SHA-256 through
 * WebCrypto (`crypto.subtle`), so it runs on every runtime Sluice runs on. Shared by the writer
 * (`./trail.ts`) and the verifier (`./verify.ts`).
 * @module
 */

/** One line of an audit trail. */
export interface AuditEvent {
  /** Format version. */
  v: 1;
  /** The chain (one per Sluice instance): random, fixed for the instance's life. */
  chain: string;
  /** Position in the chain, from 0 with no gaps. */
  seq: number;
  /** Wall-clock time of the decision, ms since the epoch. */
  time: number;
  /** What was decided: a Sluice event type (`guard:match`, `budget:reject`, `route:skip`...), `audit:start` or `request:end`. */
  type: string;
  /** The decision's details; never prompt or answer text, never a secret. */
  data: Record<string, unknown>;
  /**
   * The previous event's `hash`; for the first event of a chain, the `audit.previousHash` it continues,
   * or `null` for a new chain.
   */
  prevHash: string | null;
  /** SHA-256 (hex) of the canonical JSON of every field above. */
  hash: string;
  /** HMAC-SHA-256 (hex) of `hash` under `audit.hmacKey`, when one is configured. */
  hmac?: string;
}

/** The part of an event its hash covers. */
export type AuditEventBody = Omit<AuditEvent, 'hash' | 'hmac'>;

/**
 * Serialises a JSON value canonically: object keys sorted by UTF-16 code units, no whitespace, numbers
 * and strings as `JSON.stringify` writes them, `undefined` members left out (RFC 8785's rules for the
 * values JSON can hold). Two equal values always give the same text.
 * @param value A JSON-compatible value.
 * @returns The canonical text.
 * @example
 * canonicalJson({ b: 1, a: [true, null] }); // '{"a":[true,null],"b":1}'
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== 'object') return JSON.stringify(value) ?? 'null';
  if (Array.isArray(value)) return `[${value.map((item) => (item === undefined ? 'null' : canonicalJson(item))).join(',')}]`;
  const record = value as Record<string, unknown>;
  const parts: string[] = [];
  for (const key of Object.keys(record).sort()) {
    const item = record[key];
    if (item === undefined || typeof item === 'function') continue;
    parts.push(`${JSON.stringify(key)}:${canonicalJson(item)}`);
  }
  return `{${parts.join(',')}}`;
}

const encoder = new TextEncoder();

function hex(buffer: ArrayBuffer): string {
  let out = '';
  for (const byte of new Uint8Array(buffer)) out += byte.toString(16).padStart(2, '0');
  return out;
}

/**
 * SHA-256 of a text (UTF-8), as lower-case hex.
 * @param text The text.
 */
export async function sha256Hex(text: string): Promise<string> {
  return hex(await globalThis.crypto.subtle.digest('SHA-256', encoder.encode(text)));
}

/**
 * Imports an HMAC-SHA-256 key from a secret text (its UTF-8 bytes).
 * @param secret The key text.
 */
export function hmacKeyOf(secret: string): Promise<CryptoKey> {
  return globalThis.crypto.subtle.importKey('raw', encoder.encode(secret), { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

/**
 * HMAC-SHA-256 of a text under a key, as lower-case hex.
 * @param key From {@link hmacKeyOf}.
 * @param text The text (an event's `hash`).
 */
export async function hmacHex(key: CryptoKey, text: string): Promise<string> {
  return hex(await globalThis.crypto.subtle.sign('HMAC', key, encoder.encode(text)));
}

/**
 * The hash of an event's body: SHA-256 of its canonical JSON.
 * @param body Every field but `hash` and `hmac`.
 */
export function hashEvent(body: AuditEventBody): Promise<string> {
  return sha256Hex(canonicalJson(body));
}
