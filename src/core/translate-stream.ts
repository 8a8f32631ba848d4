/**
 * A provider's stream translated into the caller's dialect, chunk by chunk: frames are decoded into
 * pivot chunks and re-encoded, pulled only as fast as the SDK reads (back-pressure reaches the
 * socket), with usage, the end and errors observed on the way. After the first byte, an upstream
 * failure ends the stream with the dialect's own error event, which the SDK's stream reader raises.
 * @module
 */
import type { ChatChunk } from '../wire/chat/types.js';
import { pivotUsage } from '../wire/chat/usage.js';
import type { ProviderError, StreamDecoder, StreamEncoder } from '../wire/codec.js';
import type { Framer } from '../wire/framing.js';
import type { StreamState } from '../wire/openai/stream.js';
import { newStreamState } from '../wire/openai/stream.js';
import type { CallContext } from './context.js';
import { readWithin, type StreamEnd } from './observe.js';

/** Options of {@link translateStream}. */
export interface TranslateStreamOptions {
  framer: Framer;
  decoder: StreamDecoder;
  encoder: StreamEncoder;
  /** The provider's name, for error messages. */
  provider: string;
  /** Keep up to this many characters of the translated stream for the record (0 keeps none). */
  captureChars: number;
  /** Called with each chunk sent to the SDK, when a callback wants stream events. */
  onChunk: ((chunk: Uint8Array, index: number) => void) | null;
  onEnd: StreamEnd;
  /** Ends the stream with an error event when the provider sends nothing for this long (ms). */
  idleMs: number | null;
}

const textEncoder = /*@__PURE__*/ new TextEncoder();

/**
 * Wraps a provider's stream body.
 * @param ctx The call; `firstChunkMs` and `responseBody` are set on it.
 * @param body The provider's stream.
 * @param options Framing, codecs and whom to tell.
 * @returns The stream to hand to the SDK, in its dialect.
 */
export function translateStream(ctx: CallContext, body: ReadableStream<Uint8Array>, options: TranslateStreamOptions): ReadableStream<Uint8Array> {
  const reader = body.getReader();
  const { framer, decoder, encoder, onChunk } = options;
  const state: StreamState = newStreamState();
  let captured = '';
  let index = 0;
  let ended = false;

  const end = (outcome: 'completed' | 'errored' | 'cancelled', error: unknown): void => {
    if (ended) return;
    ended = true;
    if (options.captureChars > 0) ctx.responseBody = captured.length > options.captureChars ? captured.slice(0, options.captureChars) : captured;
    options.onEnd(outcome, state, error);
  };
  const observe = (chunk: ChatChunk): void => {
    if (state.model === null && chunk.model !== '') state.model = chunk.model;
    if (chunk.usage != null) state.usage = pivotUsage(chunk.usage);
  };
  const deliver = (controller: ReadableStreamDefaultController<Uint8Array>, text: string): void => {
    if (options.captureChars > 0 && captured.length < options.captureChars) captured += text;
    const bytes = textEncoder.encode(text);
    controller.enqueue(bytes);
    if (onChunk !== null) onChunk(bytes, index);
    index++;
  };
  const fail = (controller: ReadableStreamDefaultController<Uint8Array>, error: ProviderError): void => {
    state.error = `${options.provider}: ${error.message}`;
    deliver(controller, encoder.error({ ...error, message: state.error }));
    controller.close();
    void reader.cancel().catch(() => {});
    end('errored', null);
  };
  /** Encodes what a batch of frames yields; returns whether the stream is over. */
  const translate = (controller: ReadableStreamDefaultController<Uint8Array>, frames: ReturnType<Framer['push']>): { text: string; over: boolean } => {
    let text = '';
    for (const frame of frames) {
      for (const chunk of decoder.push(frame)) {
        observe(chunk);
        text += encoder.push(chunk);
      }
      const error = decoder.error;
      if (error !== null) {
        if (text !== '') deliver(controller, text);
        fail(controller, error);
        return { text: '', over: true };
      }
    }
    return { text, over: false };
  };

  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        try {
          for (;;) {
            const { done, value } = await readWithin(reader, options.idleMs);
            if (done) {
              const { text, over } = translate(controller, framer.end());
              if (over) return;
              if (!decoder.done) {
                if (text !== '') deliver(controller, text);
                // Never call a truncated stream complete: the provider did not send its terminal event.
                fail(controller, { kind: 'server', status: 502, message: 'the stream ended before its terminal event', code: null });
                return;
              }
              state.done = true;
              deliver(controller, text + encoder.end());
              controller.close();
              end('completed', null);
              return;
            }
            ctx.firstChunkMs ??= ctx.now();
            const { text, over } = translate(controller, framer.push(value));
            if (over) return;
            if (text !== '') {
              deliver(controller, text);
              return;
            }
          }
        } catch (error) {
          if (ctx.signal?.aborted === true) {
            controller.error(error);
            end('cancelled', error);
            return;
          }
          // A reset or a corrupt frame after the first byte: the SDK's reader raises the dialect's error event.
          const message = error instanceof Error ? error.message : String(error);
          fail(controller, { kind: 'server', status: 502, message: `the stream broke: ${message}`, code: null });
        }
      },
      cancel(reason) {
        end('cancelled', reason);
        return reader.cancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}
