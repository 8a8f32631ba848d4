/**
 * Runs the configured LiteLLM-style callbacks: logging methods off the call path, hooks on it with a
 * timeout. Built once at construction; a call pays nothing for a method no callback defines.
 * @module
 */
import type { ResolvedConfig } from '../config/parse.js';
import type { CallRecord } from '../events/record.js';
import type { CallContext } from './context.js';
import { boundedWait, DetachedRunner, type CallbackErrorSink, type PostApiCallInfo, type PreApiCallInfo, type SluiceCallbacks } from './callbacks.js';
import { isSluiceError } from './errors.js';
import type { Middleware, Next } from './types.js';
import { refusalResponse } from './respond.js';
import type { SecretRegistry } from './secrets.js';

type Method = keyof SluiceCallbacks;

function stripQuery(url: string): string {
  const query = url.indexOf('?');
  return query === -1 ? url : url.slice(0, query);
}

/** Cancels the body of a response nobody will read (one read or piped elsewhere is left alone). */
function discard(response: Response): void {
  const body = response.body;
  if (body !== null && !response.bodyUsed && !body.locked) body.cancel().catch(() => undefined);
}

/** The callbacks of one instance. */
export class CallbackHub {
  readonly #config: ResolvedConfig;
  readonly #runner: DetachedRunner;
  readonly #report: CallbackErrorSink;
  readonly #with: { [M in Method]: SluiceCallbacks[] };
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
    const pick = (method: Method): SluiceCallbacks[] => config.callbacks.filter((callbacks) => typeof callbacks[method] === 'function');
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
    return { id: ctx.id, provider: ctx.target?.provider?.name ?? null, model: ctx.target?.model ?? null, url: stripQuery(url), streamed: ctx.isStream };
  }

  /** Before an upstream request. */
  preApiCall(ctx: CallContext, url: string): void {
    const list = this.#with.logPreApiCall;
    if (list.length === 0) return;
    const info = this.#info(ctx, url);
    for (const callbacks of list) this.#runner.run('logPreApiCall', ctx.id, () => callbacks.logPreApiCall!(info));
  }

  /** After an upstream response's headers, or its network failure (`status` null). */
  postApiCall(ctx: CallContext, url: string, status: number | null): void {
    const list = this.#with.logPostApiCall;
    if (list.length === 0) return;
    const info: PostApiCallInfo = { ...this.#info(ctx, url), status, latencyMs: ctx.now() - (ctx.upstreamStartMs ?? ctx.startMs) };
    for (const callbacks of list) this.#runner.run('logPostApiCall', ctx.id, () => callbacks.logPostApiCall!(info));
  }

  /** The per-chunk handler for a stream, or `null` when no callback wants chunks. */
  streamChunkHandler(ctx: CallContext): ((chunk: Uint8Array, index: number) => void) | null {
    const list = this.#with.logStreamEvent;
    if (list.length === 0) return null;
    const secrets = this.#secrets();
    // The SDK gets the provider's bytes; a callback gets them without the secrets Sluice knows, even
    // one split across two chunks.
    const scrubber = secrets === null ? null : secrets.streamScrubber();
    return (raw, index) => {
      const chunk = scrubber === null ? raw : scrubber.push(raw);
      for (const callbacks of list) this.#runner.run('logStreamEvent', ctx.id, () => callbacks.logStreamEvent!({ id: ctx.id, index, chunk }));
    };
  }

  /** Once per call, with its record. */
  ended(record: CallRecord, failed: boolean): void {
    const method = failed ? 'logFailureEvent' : 'logSuccessEvent';
    for (const callbacks of this.#with[method]) this.#runner.run(method, record.id, () => callbacks[method]!(record));
    const plain = failed ? this.#config.failureCallback : this.#config.successCallback;
    const name = failed ? 'failureCallback' : 'successCallback';
    for (let index = 0; index < plain.length; index++) this.#runner.run(`${name}[${index}]`, record.id, () => plain[index]!(record));
  }

  /** The hooks as one middleware, or `null` when no callback defines a hook. */
  middleware(): Middleware | null {
    const pre = this.#with.preCallHook;
    const success = this.#with.postCallSuccessHook;
    const failure = this.#with.postCallFailureHook;
    if (pre.length === 0 && success.length === 0 && failure.length === 0) return null;
    const timeoutMs = this.#config.callbackTimeoutMs;
    const report = this.#report;
    const runHook = async (hook: string, ctx: CallContext, fn: () => unknown): Promise<Response | undefined> => {
      try {
        const result = await boundedWait(Promise.resolve().then(fn), timeoutMs, hook);
        return result instanceof Response ? result : undefined;
      } catch (error) {
        if (hook === 'preCallHook' && isSluiceError(error)) throw error;
        report(hook, ctx.id, error);
        return undefined;
      }
    };
    const call = async (ctx: CallContext, next: Next): Promise<Response> => {
      for (const callbacks of pre) {
        const early = await runHook('preCallHook', ctx, () => callbacks.preCallHook!(ctx));
        if (early !== undefined) return early;
      }
      return next(ctx);
    };
    return async function callbackHooks(ctx, next) {
      let response: Response;
      try {
        response = await call(ctx, next);
      } catch (error) {
        // Refusals reach the failure hooks as the response the SDK will get, as in LiteLLM.
        if (!isSluiceError(error)) throw error;
        response = refusalResponse(ctx, error);
      }
      const hooks = response.status < 400 ? success : failure;
      const name = response.status < 400 ? 'postCallSuccessHook' : 'postCallFailureHook';
      for (const callbacks of hooks) {
        const current = response;
        const replaced = await runHook(name, ctx, () => callbacks[name]!(ctx, current));
        if (replaced !== undefined && replaced !== current) {
          // An unread body left behind would hold the upstream request open and never end a stream's record.
          if (replaced.body !== current.body) discard(current);
          response = replaced;
        }
      }
      return response;
    };
  }

  /** Resolves when every detached callback has settled or timed out. */
  settle(): Promise<void> {
    return this.#runner.settle();
  }
}
