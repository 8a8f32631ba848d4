/**
 * The hooks on the call path (`preCallHook`, `postCallSuccessHook`, `postCallFailureHook`) as one
 * middleware. Loaded only when a callback object defines a hook: it is not in the core entry.
 * @module
 */
import { boundedWait, type CallbackErrorSink, type ResolvedCallbacks } from './callbacks.js';
import type { CallContext } from './context.js';
import { isNetworkFailure } from './dispatch.js';
import { isSluiceError, SluiceError } from './errors.js';
import { errorResponse, refusalResponse } from './respond.js';
import type { Middleware, Next } from './types.js';

/** What the hook middleware needs. */
export interface HookDeps {
  pre: readonly ResolvedCallbacks[];
  success: readonly ResolvedCallbacks[];
  failure: readonly ResolvedCallbacks[];
  timeoutMs: number;
  report: CallbackErrorSink;
}

/** Cancels the body of a response nobody will read (one read or piped elsewhere is left alone). */
function discard(response: Response): void {
  const body = response.body;
  if (body !== null && !response.bodyUsed && !body.locked) body.cancel().catch(() => undefined);
}

function describe(value: unknown): string {
  return Array.isArray(value) ? 'an array' : `a ${typeof value}`;
}

/**
 * Builds the hook middleware.
 * @param deps The callbacks defining each hook, the timeout and where failures are reported.
 * @returns The middleware.
 */
export function hookMiddleware(deps: HookDeps): Middleware {
  const { pre, success, failure, timeoutMs, report } = deps;

  /** Runs one pre-call hook: `undefined` to go on, a `Response` to answer; throws to refuse. */
  const runPre = async (callbacks: ResolvedCallbacks, ctx: CallContext): Promise<Response | undefined> => {
    const name = callbacks.names.preCallHook ?? 'preCallHook';
    let refusal: SluiceError;
    try {
      const result: unknown = await boundedWait(Promise.resolve().then(() => callbacks.preCallHook!(ctx)), timeoutMs, name);
      // `null` too: a port of Python code returns it where LiteLLM's hook returns None.
      if (result === undefined || result === null) return undefined;
      if (result instanceof Response) return result;
      if (typeof result === 'object' && result !== null && !Array.isArray(result)) {
        // LiteLLM's hook returns the (modified) request data: it replaces the body.
        ctx.setBody(result);
        return undefined;
      }
      refusal = new SluiceError('sluice_callback_failed', `${name} returned ${describe(result)}; expected nothing, the request body object or a Response`, { status: 500 });
    } catch (error) {
      if (isSluiceError(error)) throw error;
      const timedOut = error instanceof Error && error.name === 'TimeoutError';
      const message = error instanceof Error ? error.message : String(error);
      refusal = timedOut
        ? new SluiceError('sluice_callback_timeout', message, { status: 504, cause: error })
        : new SluiceError('sluice_callback_failed', `${name} failed: ${message}`, { status: 500, cause: error });
    }
    if (!callbacks.failOpen) throw refusal;
    report(name, ctx.id, refusal.cause ?? refusal);
    return undefined;
  };

  /** Runs the post-call hooks of one kind in order; each may replace the response. */
  const runPost = async (ctx: CallContext, response: Response, error: unknown): Promise<Response> => {
    const failed = response.status >= 400 || error !== undefined;
    const method = failed ? 'postCallFailureHook' : 'postCallSuccessHook';
    for (const callbacks of failed ? failure : success) {
      const name = callbacks.names[method] ?? method;
      const current = response;
      let replaced: unknown;
      try {
        replaced = await boundedWait(
          Promise.resolve().then(() => (failed ? callbacks.postCallFailureHook!(ctx, current, error) : callbacks.postCallSuccessHook!(ctx, current))),
          timeoutMs,
          name,
        );
      } catch (hookError) {
        report(name, ctx.id, hookError);
        continue;
      }
      if (replaced instanceof Response && replaced !== current) {
        // An unread body left behind would hold the upstream request open and never end a stream's record.
        if (replaced.body !== current.body) discard(current);
        response = replaced;
      }
    }
    return response;
  };

  const call = async (ctx: CallContext, next: Next): Promise<Response> => {
    for (const callbacks of pre) {
      const early = await runPre(callbacks, ctx);
      if (early !== undefined) return early;
    }
    return next(ctx);
  };

  return async function callbackHooks(ctx, next) {
    let response: Response;
    let error: unknown;
    try {
      response = await call(ctx, next);
    } catch (thrown) {
      if (isSluiceError(thrown)) {
        // Refusals reach the failure hooks as the response the SDK will get, as in LiteLLM.
        error = thrown;
        response = refusalResponse(ctx, thrown);
      } else {
        if (failure.length === 0 || ctx.signal?.aborted === true) throw thrown;
        // A network failure (or a middleware's bug): the hooks see a stand-in and the error; the SDK
        // still gets the error, unless a hook answers instead.
        const network = isNetworkFailure(thrown);
        const standIn = errorResponse(ctx.dialect, {
          status: network ? 502 : 500,
          code: network ? 'sluice_network_error' : 'sluice_internal_error',
          message: ctx.scrub(thrown instanceof Error ? thrown.message : String(thrown)),
          requestId: ctx.id,
          shouldRetry: false,
        });
        const answer = await runPost(ctx, standIn, thrown);
        if (answer === standIn) throw thrown;
        return answer;
      }
    }
    return runPost(ctx, response, error);
  };
}
