/**
 * LiteLLM-style callbacks: the custom logger's methods in camelCase, plus `successCallback` and
 * `failureCallback` arrays. Logging methods run off the call path; hooks run on it, bounded by a
 * timeout. A pre-call hook that throws or hangs refuses the call unless its object says `failOpen`;
 * a post-call hook that throws or hangs leaves the response as it was.
 * @module
 */
import type { CallRecord } from '../events/record.js';
import type { CallContext } from './context.js';

/** Passed to `logPreApiCall` just before the request goes upstream. */
export interface PreApiCallInfo {
  /** The Sluice call id. */
  id: string;
  /** The provider entry, or `null` for the SDK's own URL. */
  provider: string | null;
  /** The model sent upstream. */
  model: string | null;
  /** Upstream URL without its query string. */
  url: string;
  /** Whether the call streams. */
  streamed: boolean;
  /** The call's metadata (config default merged with the `x-sluice-metadata` header), or `null`. */
  metadata: Readonly<Record<string, unknown>> | null;
}

/** Passed to `logPostApiCall` when the upstream response headers arrive (or the request failed). */
export interface PostApiCallInfo extends PreApiCallInfo {
  /** Upstream status, or `null` on a network failure. */
  status: number | null;
  /** Milliseconds from sending to headers (or failure). */
  latencyMs: number;
}

/** Passed to `logStreamEvent` for each chunk of a stream, as it reaches the SDK. */
export interface StreamEventInfo {
  /** The Sluice call id. */
  id: string;
  /** Zero-based chunk index. */
  index: number;
  /** The chunk's bytes (the SSE text the SDK receives). Do not modify. */
  chunk: Uint8Array;
  /** The call's metadata, or `null`. */
  metadata: Readonly<Record<string, unknown>> | null;
}

/** What a pre-call hook may return: nothing (or `null`), a replacement request body (an object), or an answer. */
export type PreCallResult = void | undefined | null | Response | Record<string, unknown>;

/**
 * A LiteLLM `CustomLogger`. Every method is optional and may be sync or async; each may be written
 * with LiteLLM's name instead (see docs/callbacks.md), but only one name per method.
 * | LiteLLM | Sluice |
 * | --- | --- |
 * | `log_pre_api_call` | `logPreApiCall(info)` |
 * | `log_post_api_call` | `logPostApiCall(info)` |
 * | `log_stream_event` | `logStreamEvent(info)` (per chunk) |
 * | `log_success_event` / `async_log_success_event` | `logSuccessEvent(record)` (once per call, after a stream ends) |
 * | `log_failure_event` / `async_log_failure_event` | `logFailureEvent(record)` |
 * | `async_pre_call_hook` | `preCallHook(ctx)` |
 * | `async_post_call_success_hook` | `postCallSuccessHook(ctx, response)` |
 * | `async_post_call_failure_hook` | `postCallFailureHook(ctx, response, error)` |
 */
export interface SluiceCallbacks {
  /** Before each upstream request. Off the call path. */
  logPreApiCall?(info: PreApiCallInfo): unknown;
  /** After each upstream response's headers (or its failure). Off the call path. */
  logPostApiCall?(info: PostApiCallInfo): unknown;
  /** For each chunk of a streamed response. Off the call path. */
  logStreamEvent?(info: StreamEventInfo): unknown;
  /** Once per successful call, with its record (after the stream ended, usage included). */
  logSuccessEvent?(record: CallRecord): unknown;
  /** Once per failed call (HTTP error, network failure, abort), with its record. */
  logFailureEvent?(record: CallRecord): unknown;
  /**
   * Before the call: may change it through `ctx`, return a replacement request body (an object),
   * answer it by returning a `Response`, or refuse it by throwing a `SluiceError` with a `status`. Any
   * other throw, a rejection, a wrong return type or running past `callbackTimeoutMs` refuses the call
   * too (500, or 504 for the timeout), unless this object has `failOpen: true`.
   */
  preCallHook?(ctx: CallContext): PreCallResult | Promise<PreCallResult>;
  /** After a successful response (headers, for streams): may return a replacement `Response`. */
  postCallSuccessHook?(ctx: CallContext, response: Response): void | Response | Promise<void | Response>;
  /**
   * After every failure: an error response (status >= 400, Sluice's refusals included, with the
   * `SluiceError` as `error`), or a network failure (`response` is then a stand-in 502 and `error` what
   * fetch threw). May return a replacement `Response`.
   */
  postCallFailureHook?(ctx: CallContext, response: Response, error?: unknown): void | Response | Promise<void | Response>;
  /** LiteLLM's name for {@link logPreApiCall}. */
  log_pre_api_call?(info: PreApiCallInfo): unknown;
  /** LiteLLM's name for {@link logPreApiCall}. */
  async_log_pre_api_call?(info: PreApiCallInfo): unknown;
  /** LiteLLM's name for {@link logPostApiCall}. */
  log_post_api_call?(info: PostApiCallInfo): unknown;
  /** LiteLLM's name for {@link logPostApiCall}. */
  async_log_post_api_call?(info: PostApiCallInfo): unknown;
  /** LiteLLM's name for {@link logStreamEvent}. */
  log_stream_event?(info: StreamEventInfo): unknown;
  /** LiteLLM's name for {@link logStreamEvent}. */
  async_log_stream_event?(info: StreamEventInfo): unknown;
  /** LiteLLM's name for {@link logSuccessEvent}. */
  log_success_event?(record: CallRecord): unknown;
  /** LiteLLM's name for {@link logSuccessEvent}. */
  async_log_success_event?(record: CallRecord): unknown;
  /** LiteLLM's name for {@link logFailureEvent}. */
  log_failure_event?(record: CallRecord): unknown;
  /** LiteLLM's name for {@link logFailureEvent}. */
  async_log_failure_event?(record: CallRecord): unknown;
  /** LiteLLM's name for {@link preCallHook}. */
  async_pre_call_hook?(ctx: CallContext): PreCallResult | Promise<PreCallResult>;
  /** LiteLLM's name for {@link postCallSuccessHook}. */
  async_post_call_success_hook?(ctx: CallContext, response: Response): void | Response | Promise<void | Response>;
  /** LiteLLM's name for {@link postCallFailureHook}. */
  async_post_call_failure_hook?(ctx: CallContext, response: Response, error?: unknown): void | Response | Promise<void | Response>;
  /** Let the call through when this object's `preCallHook` throws, hangs or returns a wrong type (reported as `callback:error`). @default false */
  failOpen?: boolean;
}

/** A callback method's Sluice name. */
export type CallbackMethod =
  | 'logPreApiCall'
  | 'logPostApiCall'
  | 'logStreamEvent'
  | 'logSuccessEvent'
  | 'logFailureEvent'
  | 'preCallHook'
  | 'postCallSuccessHook'
  | 'postCallFailureHook';

/** A callback object after parsing: methods under their Sluice names, bound to the user's object. @internal */
export interface ResolvedCallbacks extends SluiceCallbacks {
  readonly failOpen: boolean;
  /** The name each method was written with (for reports and refusals). */
  readonly names: Readonly<Partial<Record<CallbackMethod, string>>>;
}

/** What the call path tells the callbacks (the hub, once its code has loaded). @internal */
export interface CallbackSink {
  /** Whether any callback wants the record of finished calls. */
  readonly wantsRecords: boolean;
  /** Before an upstream request. */
  preApiCall(ctx: CallContext, url: string): void;
  /** After an upstream response's headers, or its network failure (`status` null). */
  postApiCall(ctx: CallContext, url: string, status: number | null): void;
  /** The per-chunk handler for a stream, or `null` when no callback wants chunks. */
  streamChunkHandler(ctx: CallContext): ((chunk: Uint8Array, index: number) => void) | null;
  /** Once per call, with its record. */
  ended(record: CallRecord, failed: boolean): void;
  /** Resolves when every detached callback has settled or timed out. */
  settle(): Promise<void>;
}

/** Where a callback failure is reported. */
export type CallbackErrorSink = (hook: string, id: string, error: unknown) => void;

/** Tracks callbacks running off the call path so `flush()` can wait for them. */
export class DetachedRunner {
  readonly #pending = new Set<Promise<unknown>>();
  readonly #timeoutMs: number;
  readonly #report: CallbackErrorSink;

  constructor(timeoutMs: number, report: CallbackErrorSink) {
    this.#timeoutMs = timeoutMs;
    this.#report = report;
  }

  /** Runs `fn` now; a throw is reported, a promise is tracked and bounded by the timeout. */
  run(hook: string, id: string, fn: () => unknown): void {
    let result: unknown;
    try {
      result = fn();
    } catch (error) {
      this.#report(hook, id, error);
      return;
    }
    if (typeof (result as PromiseLike<unknown> | undefined)?.then !== 'function') return;
    const tracked = boundedWait(result as PromiseLike<unknown>, this.#timeoutMs, hook).then(
      () => undefined,
      (error: unknown) => this.#report(hook, id, error),
    );
    this.#pending.add(tracked);
    void tracked.finally(() => this.#pending.delete(tracked));
  }

  /** Resolves when every callback running now has settled or timed out. */
  async settle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }
}

/**
 * Waits for `promise` at most `timeoutMs`; rejects with a timeout error after that. The timer is
 * unref'd and always cleared.
 */
export function boundedWait<T>(promise: PromiseLike<T>, timeoutMs: number, what: string): Promise<T> {
  return new Promise<T>((resolve, reject) => {
    const timer = setTimeout(() => {
      const error = new Error(`${what} did not settle within ${timeoutMs} ms`);
      error.name = 'TimeoutError';
      reject(error);
    }, timeoutMs);
    if (typeof timer === 'object' && typeof (timer as { unref?: () => void }).unref === 'function') (timer as { unref: () => void }).unref();
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error: unknown) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}
