/**
 * The audit trail writer: turns policy decisions (Sluice's own events) into hash-chained, optionally
 * HMAC-signed audit events, in strict order although hashing is asynchronous, and ships them through
 * their own exporters, each behind a bounded batch queue. Loaded on demand with `audit` configured.
 * @module
 */
import type { SluiceConfig } from '../config/types.js';
import type { SluiceEmitter } from '../events/emitter.js';
import type { CallRecord } from '../events/record.js';
import type { SluiceEvent, SluiceEventType } from '../events/types.js';
import { BatchQueue } from '../exporters/batch-queue.js';
import type { BatchQueueOptions } from '../exporters/queue-options.js';
import type { Exporter } from '../exporters/types.js';
import { canonicalJson, hashEvent, hmacHex, hmacKeyOf, sha256Hex, type AuditEvent, type AuditEventBody } from './chain.js';

/** The events that are policy decisions, each written to the trail. */
export const AUDITED_EVENTS: readonly SluiceEventType[] = [
  'guard:match',
  'limit:reject',
  'budget:reject',
  'budget:threshold',
  'route:skip',
  'route:retry',
  'route:fallback',
  'target:eject',
  'target:recover',
  'target:force',
  'cache:hit',
  'store:error',
  'store:recover',
  'export:drop',
  'request:end',
];

/** Prefix of the audit queues' names in `export:drop` (their own drops are not audited: that would loop). */
const AUDIT_EXPORTER_PREFIX = 'audit:';

/** What {@link AuditTrail} needs. */
export interface AuditTrailOptions {
  /** Where events go, each behind its own queue. */
  exporters: ReadonlyArray<{ exporter: Exporter; queue: BatchQueueOptions }>;
  /** Signs each event's hash with HMAC-SHA-256 under this key. */
  hmacKey?: string | undefined;
  /** The hash the chain continues; `null` or absent starts a new chain. */
  previousHash?: string | undefined;
  /** Where drops of audit events are reported (`export:drop`, exporter `audit:<name>`). */
  events?: SluiceEmitter;
  /** Wall clock in ms. @default Date.now */
  clock?: () => number;
}

function randomId(): string {
  const bytes = new Uint8Array(8);
  globalThis.crypto.getRandomValues(bytes);
  let out = '';
  for (const byte of bytes) out += byte.toString(16).padStart(2, '0');
  return out;
}

/** A hash-chained, strictly ordered audit trail for one instance. */
export class AuditTrail {
  /** This chain's id. */
  readonly chain = randomId();
  readonly #queues: Array<BatchQueue<AuditEvent>>;
  readonly #key: Promise<CryptoKey> | null;
  readonly #clock: () => number;
  #seq = 0;
  /** The hash of the last event written, once it is known; each append waits for it. */
  #tail: Promise<string | null>;

  constructor(options: AuditTrailOptions) {
    this.#clock = options.clock ?? Date.now;
    this.#key = options.hmacKey === undefined ? null : hmacKeyOf(options.hmacKey);
    this.#tail = Promise.resolve(options.previousHash ?? null);
    const events = options.events;
    this.#queues = options.exporters.map(
      ({ exporter, queue }) =>
        new BatchQueue<AuditEvent>(exporter as unknown as Exporter<AuditEvent>, {
          ...queue,
          onDrop: (count, reason, totalDropped) => {
            queue.onDrop?.(count, reason, totalDropped);
            if (events?.has('export:drop') === true) events.emit({ type: 'export:drop', exporter: AUDIT_EXPORTER_PREFIX + exporter.name, count, reason, totalDropped });
          },
        }),
    );
  }

  /**
   * Appends one event. Its position is fixed now (synchronously); its hash, which needs the previous
   * one, is computed in order after.
   * @param type The decision's type.
   * @param data Its details, or a promise of them (the event keeps its place while they are computed).
   */
  append(type: string, data: Record<string, unknown> | Promise<Record<string, unknown>>): void {
    const body: AuditEventBody = { v: 1, chain: this.chain, seq: this.#seq++, time: this.#clock(), type, data: {}, prevHash: null };
    this.#tail = this.#tail.then(async (prevHash) => {
      try {
        body.data = await data;
        body.prevHash = prevHash;
        const hash = await hashEvent(body);
        const event: AuditEvent = { ...body, hash };
        if (this.#key !== null) event.hmac = await hmacHex(await this.#key, hash);
        for (const queue of this.#queues) queue.push(event);
        return hash;
      } catch {
        // Not written (WebCrypto failed): the gap in `seq` shows in verification.
        return prevHash;
      }
    });
  }

  /** The last event's hash, once every appended event is hashed: what a restarted instance gives as `audit.previousHash`. */
  lastHash(): Promise<string | null> {
    return this.#tail;
  }

  /** Resolves when every event appended so far is exported (or dropped). */
  async flush(): Promise<void> {
    await this.#tail;
    await Promise.all(this.#queues.map((queue) => queue.flush()));
  }

  /** Flushes, then closes the queues and their exporters. */
  async close(): Promise<void> {
    await this.#tail;
    await Promise.all(this.#queues.map((queue) => queue.close()));
  }

  /**
   * Writes every policy decision the instance emits, from now on.
   * @param events The instance's emitter.
   */
  listen(events: SluiceEmitter): void {
    for (const type of AUDITED_EVENTS) events.on(type, (event: SluiceEvent) => this.#onEvent(event));
  }

  #onEvent(event: SluiceEvent): void {
    if (event.type === 'request:end') {
      this.append('request:end', summarise(event.record));
      return;
    }
    if (event.type === 'export:drop' && event.exporter.startsWith(AUDIT_EXPORTER_PREFIX)) return;
    const { type, ...data } = event;
    this.append(type, data);
  }
}

/**
 * What the trail keeps of a call: which target served, in which region, how it ended, which policies
 * acted; never bodies, error messages (a provider may quote the prompt) or metadata.
 */
function summarise(record: CallRecord): Record<string, unknown> {
  return {
    id: record.id,
    operation: record.operation,
    requestedModel: record.requestedModel,
    provider: record.provider,
    model: record.model,
    region: record.region,
    status: record.status,
    outcome: record.outcome,
    error: record.error?.class ?? null,
    attempts: record.attempts.map((attempt) => ({ provider: attempt.provider, model: attempt.model, status: attempt.status, errorClass: attempt.errorClass })),
    guard: record.guard,
    cache: record.cache?.status ?? null,
    user: record.user,
    tags: record.tags,
    zeroRetention: record.zeroRetention,
  };
}

const REDACTED = '[REDACTED]';
/** Keys whose values are secrets wherever they appear in a configuration. */
const SECRET_KEYS = new Set(['apiKey', 'apiKeys', 'aws', 'serviceAccount', 'hmacKey', 'env', 'private_key']);

/**
 * A copy of a configuration safe to write down: secrets (keys, AWS credentials, service accounts, the
 * HMAC key, `env`, every provider header's value, any known secret inside a string) replaced by
 * `[REDACTED]`, functions and exporters by their names.
 * @param config The configuration as given.
 * @param secrets Secret values to remove from any string.
 * @returns A JSON value.
 */
export function redactConfig(config: SluiceConfig, secrets: readonly string[]): unknown {
  const seen = new WeakSet<object>();
  const scrub = (text: string): string => {
    let out = text;
    for (const secret of secrets) if (out.includes(secret)) out = out.replaceAll(secret, REDACTED);
    return out;
  };
  const walk = (value: unknown, key: string, depth: number): unknown => {
    if (SECRET_KEYS.has(key)) return value === undefined ? undefined : REDACTED;
    if (typeof value === 'string') return scrub(value);
    if (typeof value === 'function') return `[function ${value.name || 'anonymous'}]`;
    if (typeof value !== 'object' || value === null) return typeof value === 'number' || typeof value === 'boolean' || value === null ? value : undefined;
    if (seen.has(value) || depth > 8) return '[…]';
    seen.add(value);
    if (typeof (value as { export?: unknown }).export === 'function') return `[exporter ${String((value as { name?: unknown }).name)}]`;
    if (Array.isArray(value)) return value.map((item) => walk(item, '', depth + 1));
    if (key === 'headers') return Object.fromEntries(Object.keys(value).map((name) => [name, REDACTED]));
    const out: Record<string, unknown> = {};
    for (const [name, item] of Object.entries(value)) out[name] = walk(item, name, depth + 1);
    return out;
  };
  return walk(config, '', 0);
}

/**
 * The first event of a chain: the configuration's hash and its redacted copy.
 * @param config The configuration as given.
 * @param secrets Secret values to remove.
 */
export async function startEvent(config: SluiceConfig, secrets: readonly string[]): Promise<Record<string, unknown>> {
  const copy = redactConfig(config, secrets);
  return { configHash: await sha256Hex(canonicalJson(copy)), config: copy };
}
