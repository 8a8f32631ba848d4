/**
 * Collects a stream's text on its way to the SDK, so a completed stream can be stored with its chunk
 * boundaries. Pull-based: upstream is read only when the SDK reads, chunks pass through unchanged, and
 * collection stops (without affecting the SDK) once the stream outgrows the cache's limit.
 * @module
 */

/** What {@link captureStream} reports when the upstream stream ends normally. */
export interface Captured {
  /** The decoded text of each chunk, in order; `null` when the stream was larger than the limit. */
  chunks: string[] | null;
}

/**
 * Wraps a body to collect its text.
 * @param body The upstream body.
 * @param maxChars The most characters to collect; beyond it collection stops and `chunks` is `null`.
 * @param onEnd Called once when the upstream stream reaches its end or the SDK cancels it (with what the
 *   SDK read: a stream cancelled after its terminal event is complete), never when it errors.
 * @returns The stream to hand to the SDK.
 */
export function captureStream(body: ReadableStream<Uint8Array>, maxChars: number, onEnd: (captured: Captured) => void): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const decoder = new TextDecoder();
  let chunks: string[] | null = [];
  let size = 0;
  let isFinished = false;
  const finish = (): void => {
    if (isFinished) return;
    isFinished = true;
    if (chunks !== null) {
      const rest = decoder.decode();
      if (rest !== '') chunks.push(rest);
    }
    onEnd({ chunks });
  };
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        let result: ReadableStreamReadResult<Uint8Array>;
        try {
          result = await reader.read();
        } catch (error) {
          chunks = null;
          controller.error(error);
          return;
        }
        if (result.done) {
          controller.close();
          finish();
          return;
        }
        controller.enqueue(result.value);
        if (chunks === null) return;
        const text = decoder.decode(result.value, { stream: true });
        size += text.length;
        if (size > maxChars) chunks = null;
        else chunks.push(text);
      },
      cancel(reason) {
        // Whether what was read is the whole answer is the call's outcome to say (completed or cancelled).
        finish();
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
