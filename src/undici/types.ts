/**
 * The parts of undici's dispatcher API that `sluice/undici` speaks, written out structurally so the
 * entry needs neither the `undici` package nor `undici-types` at run time or in its declarations.
 * Shapes follow undici 6 (`docs/docs/api/Dispatcher.md`), the version Node 20 bundles, plus the
 * controller-style handler of undici 7.
 * @module
 */

/** Request headers as undici accepts them: an object, a flat `[name, value, …]` array, or pairs. */
export type DispatchHeaders =
  | Readonly<Record<string, string | number | readonly string[] | undefined>>
  | readonly (string | Uint8Array | readonly string[])[]
  | Iterable<readonly [string, string | readonly string[] | undefined]>;

/** A request body as undici accepts it, plus what Node's `fetch` hands a mock-active dispatcher. */
export type DispatchBody =
  | string
  | Uint8Array
  | ArrayBuffer
  | Blob
  | FormData
  | URLSearchParams
  | ReadableStream<Uint8Array>
  | AsyncIterable<string | Uint8Array>
  | Iterable<string | Uint8Array>
  | null;

/** The first argument of `dispatcher.dispatch()`. */
export interface DispatchOptions {
  /** Scheme, host and port, e.g. `https://api.openai.com`; always set when the call comes through an Agent. */
  origin?: string | URL | undefined;
  /** Path and query, e.g. `/v1/chat/completions?x=1`. */
  path: string;
  /** The HTTP method, e.g. `POST`. */
  method: string;
  /** The request headers. */
  headers?: DispatchHeaders | null | undefined;
  /** The request body. */
  body?: DispatchBody | undefined;
  /** Query parameters added to `path` (`undici.request`'s `query` option). */
  query?: Readonly<Record<string, unknown>> | undefined;
  /** Redirects to follow; `fetch` passes 0 and follows them itself. */
  maxRedirections?: number | undefined;
  /** An upgrade protocol (`websocket`); such requests are never routed through Sluice. */
  upgrade?: string | boolean | null | undefined;
}

/** Aborts a dispatched request; undici hands it to `onConnect`. */
export type AbortDispatch = (reason?: unknown) => void;

/** The callback-style handler of undici 6 (`fetch`, `request`, `stream` all pass one). */
export interface LegacyDispatchHandler {
  /** Called before the request is sent, with a function that aborts it. */
  onConnect?(abort: AbortDispatch): void;
  /** Called when the first byte of the response arrives. */
  onResponseStarted?(): void;
  /**
   * Called with the status and headers; returning `false` pauses the body until `resume()` is called.
   * `rawHeaders` alternates names and values, as Buffers.
   */
  onHeaders?(statusCode: number, rawHeaders: Buffer[], resume: () => void, statusText: string): boolean | void;
  /** Called for each body chunk; returning `false` pauses the body until `resume()` is called. */
  onData?(chunk: Buffer): boolean | void;
  /** Called once the body has ended, with the raw trailers. */
  onComplete?(trailers: Buffer[] | null): void;
  /** Called once when the request fails or is aborted; nothing is called after it. */
  onError?(error: Error): void;
}

/** The controller undici 7 passes to a controller-style handler. */
export interface DispatchController {
  /** Aborts the request with `reason`. */
  abort(reason: Error): void;
  /** Stops delivering body chunks until `resume()`. */
  pause(): void;
  /** Delivers body chunks again. */
  resume(): void;
  /** Whether the request was aborted. */
  readonly aborted: boolean;
  /** Whether body delivery is paused. */
  readonly paused: boolean;
  /** The abort reason, or `null`. */
  readonly reason: Error | null;
}

/** The controller-style handler of undici 7. */
export interface ControllerDispatchHandler {
  /** Called before the request is sent. */
  onRequestStart?(controller: DispatchController, context: unknown): void;
  /** Called with the status and headers (lower-case names; repeated headers as arrays). */
  onResponseStart?(controller: DispatchController, statusCode: number, headers: Record<string, string | string[]>, statusMessage?: string): void;
  /** Called for each body chunk; `controller.pause()` applies backpressure. */
  onResponseData?(controller: DispatchController, chunk: Buffer): void;
  /** Called once the body has ended. */
  onResponseEnd?(controller: DispatchController, trailers: Record<string, string | string[]>): void;
  /** Called once when the request fails or is aborted. */
  onResponseError?(controller: DispatchController, error: Error): void;
}

/** Either handler style; a handler with `onResponseStart` or `onRequestStart` is driven the undici 7 way. */
export type DispatchHandler = LegacyDispatchHandler & ControllerDispatchHandler;

/** What undici stores as the global dispatcher: anything with `dispatch`, usually an `Agent`. */
export interface UndiciDispatcher {
  /** Starts a request; returns `false` when the dispatcher is busy. */
  dispatch(options: DispatchOptions, handler: DispatchHandler): boolean;
  /** Closes gracefully. */
  close?(): Promise<void> | void;
  /** Closes abruptly, failing requests in flight with `error`. */
  destroy?(error?: Error | null): Promise<void> | void;
}
