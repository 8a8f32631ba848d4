/**
 * Verifies an exported audit trail (JSON lines): every event's hash and HMAC, and every chain's order.
 * @module
 */
import { hashEvent, hmacHex, hmacKeyOf, type AuditEvent } from './chain.js';

/** Options of {@link verifyAuditTrail}. */
export interface VerifyAuditOptions {
  /** The `audit.hmacKey` the trail was signed with: every event must then carry a matching `hmac`. */
  hmacKey?: string;
  /**
   * The hash a chain in this file may continue although no line of the file ends with it: the last
   * hash of the previous file, when trails are rotated.
   */
  previousHash?: string;
  /**
   * A hash recorded earlier (a checkpoint: `lastHash` of an earlier verification, kept elsewhere): the
   * trail must contain that event. Catches lines removed from the end, which a chain alone cannot show.
   */
  checkpoint?: string;
}

/** What {@link verifyAuditTrail} found. */
export interface VerifyAuditResult {
  /** Whether every line verified. */
  ok: boolean;
  /** The first line (1-based, counting every line of the input) that does not verify; `null` when `ok`. */
  firstBadLine: number | null;
  /** Why that line does not verify; `null` when `ok`. */
  reason: string | null;
  /** Events verified before the first bad line (all of them when `ok`). */
  events: number;
  /** Chains seen (one per Sluice instance run). */
  chains: number;
  /** The hash of the last event verified: give it as `audit.previousHash` to continue the trail. */
  lastHash: string | null;
}

interface ChainState {
  seq: number;
  hash: string;
  /** Another chain continued this one: nothing may follow. */
  continued: boolean;
}

const HEX64 = /^[0-9a-f]{64}$/;

function isEvent(value: unknown): value is AuditEvent {
  if (typeof value !== 'object' || value === null) return false;
  const event = value as Partial<AuditEvent>;
  return (
    event.v === 1 &&
    typeof event.chain === 'string' &&
    Number.isSafeInteger(event.seq) &&
    (event.seq as number) >= 0 &&
    typeof event.time === 'number' &&
    typeof event.type === 'string' &&
    typeof event.data === 'object' &&
    event.data !== null &&
    (event.prevHash === null || (typeof event.prevHash === 'string' && HEX64.test(event.prevHash))) &&
    typeof event.hash === 'string' &&
    HEX64.test(event.hash)
  );
}

/**
 * Verifies an audit trail as exported (one JSON event per line; blank lines are ignored). Each event's
 * `hash` must match its content and, with `hmacKey`, its `hmac` the hash; within a chain `seq` must
 * count up from 0 with each `prevHash` the previous `hash`; a chain that starts with a `prevHash` must
 * continue the last event of an earlier chain (or `options.previousHash`). So a line removed, moved,
 * duplicated or altered is found: the first line where the trail stops verifying is reported. An
 * altered line whose hash was recomputed is caught at that line with an HMAC key, else at the next line
 * of its chain. Removing a trail's last lines is seen only by whoever knows its last hash (a later
 * chain that continues it, or `options.checkpoint`: a `lastHash` kept elsewhere).
 * @param input The trail: its text, or its lines.
 * @param options The HMAC key, and the hash a rotated file continues.
 * @returns `{ ok, firstBadLine, reason, events, chains, lastHash }`.
 * @example
 * import { readFile } from 'node:fs/promises';
 * import { verifyAuditTrail } from 'sluice/audit';
 *
 * const result = await verifyAuditTrail(await readFile('audit.jsonl', 'utf8'), { hmacKey: process.env.AUDIT_KEY });
 * if (!result.ok) console.error(`line ${result.firstBadLine}: ${result.reason}`);
 */
export async function verifyAuditTrail(input: string | readonly string[], options: VerifyAuditOptions = {}): Promise<VerifyAuditResult> {
  const lines = typeof input === 'string' ? input.split('\n') : input;
  const key = options.hmacKey === undefined ? null : await hmacKeyOf(options.hmacKey);
  const chains = new Map<string, ChainState>();
  /** The chain each open chain's last hash belongs to. */
  const tails = new Map<string, string>();
  let allowedStart = options.previousHash ?? null;
  let events = 0;
  let lastHash: string | null = null;
  let seenCheckpoint = false;
  const bad = (index: number, reason: string): VerifyAuditResult => ({ ok: false, firstBadLine: index + 1, reason, events, chains: chains.size, lastHash });

  for (let index = 0; index < lines.length; index++) {
    const line = lines[index]!;
    if (line.trim() === '') continue;
    let event: unknown;
    try {
      event = JSON.parse(line);
    } catch {
      return bad(index, 'not JSON');
    }
    if (!isEvent(event)) return bad(index, 'not an audit event (v, chain, seq, time, type, data, prevHash, hash)');
    const { hash, hmac, ...body } = event;
    if ((await hashEvent(body)) !== hash) return bad(index, 'its hash does not match its content: the line was altered');
    if (key !== null && (typeof hmac !== 'string' || (await hmacHex(key, hash)) !== hmac)) {
      return bad(index, typeof hmac === 'string' ? 'its HMAC does not match: the line was altered or signed with another key' : 'it carries no HMAC');
    }
    const state = chains.get(event.chain);
    if (state !== undefined) {
      if (state.continued) return bad(index, `chain ${event.chain} was already continued by a later chain; nothing may follow it`);
      if (event.seq <= state.seq) return bad(index, `seq ${event.seq} after ${state.seq}: a duplicated or reordered line`);
      if (event.seq > state.seq + 1) return bad(index, `seq ${event.seq} after ${state.seq}: ${event.seq - state.seq - 1} event(s) missing before this line (removed or moved)`);
      if (event.prevHash !== state.hash) return bad(index, 'its prevHash is not the previous event\'s hash: the previous line was altered or replaced');
      tails.delete(state.hash);
      state.seq = event.seq;
      state.hash = hash;
    } else {
      if (event.seq !== 0) return bad(index, `chain ${event.chain} starts at seq ${event.seq}: its first ${event.seq} event(s) were removed, or lines were reordered`);
      if (event.prevHash !== null) {
        const continued = tails.get(event.prevHash);
        if (continued !== undefined) {
          chains.get(continued)!.continued = true;
          tails.delete(event.prevHash);
        } else if (event.prevHash === allowedStart) {
          allowedStart = null;
        } else {
          return bad(index, 'it continues a hash that ends no earlier chain: events were removed before it (or give previousHash for a rotated file)');
        }
      }
      chains.set(event.chain, { seq: 0, hash, continued: false });
    }
    tails.set(hash, event.chain);
    events++;
    lastHash = hash;
    if (hash === options.checkpoint) seenCheckpoint = true;
  }
  if (options.checkpoint !== undefined && !seenCheckpoint) {
    return bad(lines.length, `the checkpoint ${options.checkpoint} is not in the trail: lines were removed from its end`);
  }
  return { ok: true, firstBadLine: null, reason: null, events, chains: chains.size, lastHash };
}
