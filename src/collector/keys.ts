/**
 * API keys of the collector: held only as SHA-256 digests, compared in constant time. A key is given
 * in clear (hashed at once, the clear text is not kept) or already hashed as `sha256:<64 hex digits>`
 * (what `sluice collector hash-key` style tooling or a secrets manager can hand over).
 * @module
 */
import { createHash, timingSafeEqual } from 'node:crypto';

/** What a key lets its bearer do. */
export type KeyRole = 'ingest' | 'read' | 'admin';

/** A pre-hashed key: `sha256:` and 64 hex digits. */
const HASHED = /^sha256:([0-9a-f]{64})$/i;
/** Keys shorter than this are refused: a guessable key is no key. */
export const MIN_KEY_CHARS = 16;

function digest(value: string): Buffer {
  return createHash('sha256').update(value, 'utf8').digest();
}

/**
 * The SHA-256 digest of a key in the `sha256:<hex>` form accepted by every key option.
 * @param key The clear key.
 * @example
 * hashKey('my-long-ingest-key-0001'); // 'sha256:…'
 */
export function hashKey(key: string): string {
  return `sha256:${digest(key).toString('hex')}`;
}

function toDigest(key: string, role: KeyRole): Buffer {
  const hashed = HASHED.exec(key);
  if (hashed) return Buffer.from(hashed[1]!, 'hex');
  // The message names the role and the length, never the key.
  if (key.length < MIN_KEY_CHARS) throw new TypeError(`createCollector(): a ${role} key must have at least ${MIN_KEY_CHARS} characters (got ${key.length})`);
  return digest(key);
}

/** The collector's keys, by role, as digests only. */
export class KeyRing {
  readonly #digests: ReadonlyArray<{ role: KeyRole; digest: Buffer }>;

  /**
   * @param keys Clear or `sha256:` keys per role.
   * @throws TypeError when a key is too short or one key is given two roles.
   */
  constructor(keys: Readonly<Record<KeyRole, readonly string[]>>) {
    const digests: Array<{ role: KeyRole; digest: Buffer }> = [];
    for (const role of ['ingest', 'read', 'admin'] as const) {
      for (const key of keys[role]) {
        const value = toDigest(key, role);
        const other = digests.find((entry) => entry.digest.equals(value));
        if (other && other.role !== role) throw new TypeError(`createCollector(): the same key is given as an ${other.role} key and a ${role} key; each role needs its own keys`);
        if (!other) digests.push({ role, digest: value });
      }
    }
    this.#digests = digests;
  }

  /** Whether any key of `role` is configured. */
  has(role: KeyRole): boolean {
    return this.#digests.some((entry) => entry.role === role);
  }

  /**
   * The role of a presented key, or `null` when it matches none. Every configured digest is compared,
   * in constant time, whatever matched first.
   * @param presented The bearer token from the request.
   */
  roleOf(presented: string): KeyRole | null {
    const value = digest(presented);
    let found: KeyRole | null = null;
    for (const entry of this.#digests) {
      if (timingSafeEqual(value, entry.digest) && found === null) found = entry.role;
    }
    return found;
  }
}

/**
 * The bearer token of an `Authorization` header, or `null` when there is none.
 * @param header The header's value.
 */
export function bearerToken(header: string | undefined): string | null {
  if (header === undefined) return null;
  const match = /^Bearer[ ]+(\S+)\s*$/i.exec(header);
  return match ? match[1]! : null;
}
