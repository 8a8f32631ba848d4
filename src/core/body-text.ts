/**
 * Reads a request body that is not a string (a stream, a Blob, a Request's body) as text. Loaded on
 * demand: the SDKs send strings, so most instances never need it.
 * @module
 */

/**
 * Reads a request body as text, giving up when the caller aborts (a streaming body may never end):
 * the read is cancelled and the call rejects with the signal's reason, as fetch would.
 * @param body The body.
 * @param signal The caller's signal.
 * @returns The text.
 */
export async function bodyText(body: BodyInit, signal: AbortSignal | null | undefined): Promise<string> {
  if (signal === null || signal === undefined) return new Response(body).text();
  signal.throwIfAborted();
  const stream = new Response(body).body;
  if (stream === null) return '';
  const reader = stream.getReader();
  const onAbort = (): void => void reader.cancel(signal.reason).catch(() => undefined);
  signal.addEventListener('abort', onAbort, { once: true });
  const decoder = new TextDecoder();
  let text = '';
  try {
    for (;;) {
      const { done, value } = await reader.read();
      signal.throwIfAborted();
      if (done) return text + decoder.decode();
      text += decoder.decode(value, { stream: true });
    }
  } finally {
    signal.removeEventListener('abort', onAbort);
  }
}

