/**
 * One dispatch served by Sluice: runs the call and plays its `Response` back through the undici
 * handler callbacks, with undici's ordering (connect, headers, data…, then exactly one of complete or
 * error) and its backpressure (a `false` return pauses until `resume()`).
 * @module
 */
import * as zlib from 'node:zlib';
import type { AbortDispatch, DispatchController, DispatchHandler, LegacyDispatchHandler } from './types.js';

/**
 * Codings Node's `fetch` decodes. `zstd` counts where zlib has it: a `fetch` only asks for zstd (and so
 * only gets it) where it can decode it.
 */
const DECODED_CODINGS: ReadonlySet<string> = new Set(['gzip', 'x-gzip', 'deflate', 'br', ...('createZstdDecompress' in zlib ? ['zstd'] : [])]);

function toError(reason: unknown): Error {
  return reason instanceof Error ? reason : new Error(String(reason));
}

/**
 * The error a dispatch aborted without a reason fails with: undici's `RequestAbortedError` shape.
 * @returns The error.
 */
export function abortedError(): Error {
  return Object.assign(new Error('Request aborted'), { name: 'AbortError', code: 'UND_ERR_ABORTED' });
}

/**
 * The response headers as raw `[name, value, …]` Buffers. A body that went through `fetch` is already
 * decoded, so its `content-encoding` and `content-length` would make the outer `fetch` decode twice.
 * @param response The Response from Sluice.
 * @returns The raw headers.
 */
export function rawHeadersOf(response: Response): Buffer[] {
  const encoding = response.headers.get('content-encoding');
  const isDecoded =
    response.body !== null &&
    encoding !== null &&
    encoding.split(',').every((coding) => DECODED_CODINGS.has(coding.trim().toLowerCase()));
  const raw: Buffer[] = [];
  for (const [name, value] of response.headers) {
    if (isDecoded && (name === 'content-encoding' || name === 'content-length')) continue;
    raw.push(Buffer.from(name, 'latin1'), Buffer.from(value, 'latin1'));
  }
  return raw;
}

function headerRecord(raw: readonly Buffer[]): Record<string, string | string[]> {
  const record: Record<string, string | string[]> = {};
  for (let index = 0; index + 1 < raw.length; index += 2) {
    const name = raw[index]!.toString('latin1').toLowerCase();
    const value = raw[index + 1]!.toString('latin1');
    const existing = record[name];
    record[name] = existing === undefined ? value : Array.isArray(existing) ? [...existing, value] : [existing, value];
  }
  return record;
}

/**
 * Presents an undici 7 controller-style handler through the undici 6 callbacks, as undici's own
 * `UnwrapHandler` does, so the relay below has one protocol to speak.
 * @param handler The controller-style handler.
 * @returns The equivalent callback-style handler.
 */
function fromControllerHandler(handler: DispatchHandler): LegacyDispatchHandler {
  let abort: AbortDispatch = () => {};
  let resume: () => void = () => {};
  let isPaused = false;
  let reason: Error | null = null;
  const controller: DispatchController = {
    abort(error) {
      reason = error;
      abort(error);
    },
    pause() {
      isPaused = true;
    },
    resume() {
      if (!isPaused) return;
      isPaused = false;
      resume();
    },
    get aborted() {
      return reason !== null;
    },
    get paused() {
      return isPaused;
    },
    get reason() {
      return reason;
    },
  };
  return {
    onConnect(abortDispatch) {
      abort = abortDispatch;
      handler.onRequestStart?.(controller, {});
    },
    onHeaders(statusCode, rawHeaders, resumeDispatch, statusText) {
      resume = resumeDispatch;
      handler.onResponseStart?.(controller, statusCode, headerRecord(rawHeaders), statusText);
      return !isPaused;
    },
    onData(chunk) {
      handler.onResponseData?.(controller, chunk);
      return !isPaused;
    },
    onComplete() {
      handler.onResponseEnd?.(controller, {});
    },
    onError(error) {
      handler.onResponseError?.(controller, error);
    },
  };
}

/**
 * Picks the protocol a handler speaks.
 * @param handler The handler given to `dispatch`.
 * @returns A callback-style view of it.
 */
export function legacyHandler(handler: DispatchHandler): LegacyDispatchHandler {
  return typeof handler.onResponseStart === 'function' || typeof handler.onRequestStart === 'function' ? fromControllerHandler(handler) : handler;
}

/** A dispatch in flight, from `onConnect` to its one `onComplete` or `onError`. */
export class Exchange {
  readonly #handler: LegacyDispatchHandler;
  readonly #controller = new AbortController();
  #isFinished = false;
  #isPaused = false;
  #wake: (() => void) | null = null;
  #reader: ReadableStreamDefaultReader<Uint8Array> | null = null;
  readonly #settled: Promise<void>;
  #settle: () => void = () => {};

  /**
   * @param handler The callback-style handler to drive.
   */
  constructor(handler: LegacyDispatchHandler) {
    this.#handler = handler;
    this.#settled = new Promise((resolve) => {
      this.#settle = resolve;
    });
  }

  /** Aborts the inner call; passed to `onConnect`, as undici does. */
  readonly abort: AbortDispatch = (reason) => {
    this.fail(reason === undefined ? abortedError() : toError(reason));
  };

  /** Undoes a pause; a no-op when not paused (undici's `Readable` calls it on every read). */
  readonly resume = (): void => {
    if (!this.#isPaused) return;
    this.#isPaused = false;
    this.#wakeUp();
  };

  /** The signal the inner call runs under. */
  get signal(): AbortSignal {
    return this.#controller.signal;
  }

  /** Whether `onComplete` or `onError` has been called. */
  get isFinished(): boolean {
    return this.#isFinished;
  }

  /** Resolves once the exchange has finished, however it ended. */
  get settled(): Promise<void> {
    return this.#settled;
  }

  /** Calls `onConnect`; a throwing handler fails the exchange. */
  connect(): void {
    try {
      this.#handler.onConnect?.(this.abort);
    } catch (error) {
      this.fail(toError(error));
    }
  }

  /**
   * Runs the call and streams its response into the handler.
   * @param call Starts the inner call under {@link Exchange.signal}.
   * @returns Resolves when the exchange has finished; never rejects.
   */
  async run(call: () => Promise<Response>): Promise<void> {
    try {
      const response = await call();
      if (this.#isFinished) {
        await response.body?.cancel().catch(() => {});
        return;
      }
      const handler = this.#handler;
      handler.onResponseStarted?.();
      const rawHeaders = rawHeadersOf(response);
      this.#isPaused = handler.onHeaders?.(response.status, rawHeaders, this.resume, response.statusText) === false;
      if (response.body === null) {
        this.#complete();
        return;
      }
      const reader = (this.#reader = response.body.getReader());
      if (this.#isFinished) {
        // The handler aborted from inside onHeaders.
        await reader.cancel(this.#controller.signal.reason).catch(() => {});
        return;
      }
      for (;;) {
        if (this.#isPaused) await new Promise<void>((resolve) => (this.#wake = resolve));
        if (this.#isFinished) return;
        const chunk = await reader.read();
        if (this.#isFinished) return;
        if (chunk.done) break;
        const bytes = chunk.value;
        if (bytes.byteLength === 0) continue;
        this.#isPaused = handler.onData?.(Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)) === false;
      }
      this.#complete();
    } catch (error) {
      this.fail(toError(error));
    }
  }

  /**
   * Ends the exchange with `onError`, cancelling whatever is still running; later calls do nothing.
   * @param error The error the handler receives.
   */
  fail(error: Error): void {
    if (this.#isFinished) return;
    this.#isFinished = true;
    this.#controller.abort(error);
    // A body Sluice built itself does not watch the signal: cancel it directly.
    this.#reader?.cancel(error).catch(() => {});
    this.#wakeUp();
    this.#settle();
    try {
      this.#handler.onError?.(error);
    } catch {
      // undici ignores a handler that throws from onError too; there is nobody left to tell.
    }
  }

  #complete(): void {
    if (this.#isFinished) return;
    this.#isFinished = true;
    this.#settle();
    try {
      this.#handler.onComplete?.([]);
    } catch {
      // The response is fully delivered; a throwing onComplete has nothing left to fail.
    }
  }

  #wakeUp(): void {
    const wake = this.#wake;
    this.#wake = null;
    wake?.();
  }
}
