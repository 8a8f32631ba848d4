/**
 * Runs the configured LiteLLM-style callbacks: logging methods off the call path, hooks on it with a
 * timeout. Built once at construction; a call pays nothing for a method no callback defines.
 * @module
 */
import type { ResolvedConfig } from '../config/parse.js';
import type { CallRecord } from '../events/record.js';
import type { CallContext } from './context.js';
import { DetachedRunner, type CallbackErrorSink, type CallbackMethod as Method, type CallbackSink, type PostApiCallInfo, type PreApiCallInfo, type ResolvedCallbacks } from './callbacks.js';
import type { Middleware } from './types.js';
import type { SecretRegistry } from './secrets.js';

function stripQuery(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** The callbacks of one instance. */
/** The chunk `logStreamEvent` gets under zero retention. */
const EMPTY_CHUNK = new Uint8Array(0);

export class CallbackHub implements CallbackSink {
  readonly #config: ResolvedConfig;
  readonly #runner: DetachedRunner;
  readonly #report: CallbackErrorSink;
  readonly #with: { [M in Method]: ResolvedCallbacks[] };
  readonly #secrets: () => SecretRegistry | null;

  /**
   * @param config The instance's configuration.
   * @param report Where callback failures go.
   * @param secrets The secrets to scrub from stream chunks handed to `logStreamEvent` (loaded before any upstream request).
   */
  constructor(config: ResolvedConfig, report: CallbackErrorSink, secrets: () => SecretRegistry | null) {
    this.#config = config;
    this.#secrets = secrets;
    this.#report = report;
    this.#runner = new DetachedRunner(config.callbackTimeoutMs, report);
    const pick = (method: Method): ResolvedCallbacks[] => config.callbacks.filter((callbacks) => typeof callbacks[method] === 'function');
    this.#with = {
      logPreApiCall: pick('logPreApiCall'),
      logPostApiCall: pick('logPostApiCall'),
      logStreamEvent: pick('logStreamEvent'),
      logSuccessEvent: pick('logSuccessEvent'),
      logFailureEvent: pick('logFailureEvent'),
      preCallHook: pick('preCallHook'),
      postCallSuccessHook: pick('postCallSuccessHook'),
      postCallFailureHook: pick('postCallFailureHook'),
    };
  }

  /** Whether any callback wants the record of finished calls. */
  get wantsRecords(): boolean {
    return (
      this.#with.logSuccessEvent.length > 0 ||
      this.#with.logFailureEvent.length > 0 ||
      this.#config.successCallback.length > 0 ||
      this.#config.failureCallback.length > 0
    );
  }

  #info(ctx: CallContext, url: string): PreApiCallInfo {
    return { id: ctx.id, provider: ctx.target?.provider?.name ?? null, model: ctx.target?.model ?? null, url: stripQuery(url), streamed: ctx.isStream, metadata: ctx.metadata };
  }

  /** Before an upstream request. */
  preApiCall(ctx: CallContext, url: string): void {
    const list = this.#with.logPreApiCall;
    if (list.length === 0) return;
    const info = this.#info(ctx, url);
    for (const callbacks of list) this.#runner.run(callbacks.names.logPreApiCall!, ctx.id, () => callbacks.logPreApiCall!(info));
  }

  /** After an upstream response's headers, or its network failure (`status` null). */
  postApiCall(ctx: CallContext, url: string, status: number | null): void {
    const list = this.#with.logPostApiCall;
    if (list.length === 0) return;
    const info: PostApiCallInfo = { ...this.#info(ctx, url), status, latencyMs: ctx.now() - (ctx.upstreamStartMs ?? ctx.startMs) };
    for (const callbacks of list) this.#runner.run(callbacks.names.logPostApiCall!, ctx.id, () => callbacks.logPostApiCall!(info));
  }

  /** The per-chunk handler for a stream, or `null` when no callback wants chunks. */
  streamChunkHandler(ctx: CallContext): ((chunk: Uint8Array, index: number) => void) | null {
    const list = this.#with.logStreamEvent;
    if (list.length === 0) return null;
    const secrets = this.#secrets();
    // The SDK gets the provider's bytes; a callback gets them without the secrets Sluice knows, even
    // one split across two chunks.
    const scrubber = secrets === null ? null : secrets.streamScrubber();
    // Under zero retention no answer text reaches a callback: each chunk is announced, empty.
    const zeroRetention = this.#config.zeroRetention;
    return (raw, index) => {
      const chunk = zeroRetention ? EMPTY_CHUNK : scrubber === null ? raw : scrubber.push(raw);
      for (const callbacks of list) this.#runner.run(callbacks.names.logStreamEvent!, ctx.id, () => callbacks.logStreamEvent!({ id: ctx.id, index, chunk, metadata: ctx.metadata }));
    };
  }

  /** Once per call, with its record. */
  ended(record: CallRecord, failed: boolean): void {
    const method = failed ? 'logFailureEvent' : 'logSuccessEvent';
    for (const callbacks of this.#with[method]) this.#runner.run(callbacks.names[method]!, record.id, () => callbacks[method]!(record));
    const plain = failed ? this.#config.failureCallback : this.#config.successCallback;
    const name = failed ? 'failureCallback' : 'successCallback';
    for (let index = 0; index < plain.length; index++) this.#runner.run(`${name}[${index}]`, record.id, () => plain[index]!(record));
  }

  /** The hooks as one middleware (its code loads on first use), or `null` when no callback defines a hook. */
  middleware(): Middleware | null {
    const pre = this.#with.preCallHook;
    const success = this.#with.postCallSuccessHook;
    const failure = this.#with.postCallFailureHook;
    if (pre.length === 0 && success.length === 0 && failure.length === 0) return null;
    let hooks: Middleware | null = null;
    const loading = import('./callback-hooks.js').then(
      ({ hookMiddleware }) => (hooks = hookMiddleware({ pre, success, failure, timeoutMs: this.#config.callbackTimeoutMs, report: this.#report })),
    );
    return function callbackHooks(ctx, next) {
      return hooks === null ? loading.then((loaded) => loaded(ctx, next)) : hooks(ctx, next);
    };
  }

  /** Resolves when every detached callback has settled or timed out. */
  settle(): Promise<void> {
    return this.#runner.settle();
  }
}
