/**
 * The response body as the SDK reads it: one pull-based web stream over undici's body (decoded when the
 * provider compressed it), reading the socket only when the SDK reads, and destroying the request (its
 * socket with it) when the SDK cancels.
 * @module
 */
import { Transform, type Readable } from 'node:stream';
import * as zlib from 'node:zlib';

/** A deflate decoder that picks zlib-wrapped (RFC 1950) or raw (RFC 1951) by the first byte: servers send both under one name. */
function sniffingInflate(): Transform {
  let inner: Transform | null = null;
  return new Transform({
    transform(chunk: Buffer, _encoding, callback) {
      if (inner === null) {
        const options = { flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH };
        inner = (chunk[0]! & 0x0f) === 0x08 ? zlib.createInflate(options) : zlib.createInflateRaw(options);
        inner.on('data', (data: Buffer) => this.push(data));
        inner.on('error', (error) => this.destroy(error));
      }
      inner.write(chunk, () => callback());
    },
    flush(callback) {
      if (inner === null) return callback();
      inner.once('end', () => callback());
      inner.end();
    },
  });
}

/**
 * Decoders of `content-encoding` as fetch applies them (https://fetch.spec.whatwg.org/#http-network-fetch):
 * flushed per chunk, so a compressed stream of events reaches the SDK event by event; lenient at the end,
 * as browsers and undici's fetch are with a truncated gzip trailer.
 */
function decoderFor(coding: string): (() => Transform) | null {
  switch (coding) {
    case 'gzip':
    case 'x-gzip':
      return () => zlib.createGunzip({ flush: zlib.constants.Z_SYNC_FLUSH, finishFlush: zlib.constants.Z_SYNC_FLUSH });
    case 'deflate':
      // Servers send zlib-wrapped (RFC 1950) or raw (RFC 1951) deflate under one name: the first byte tells.
      return sniffingInflate;
    case 'br':
      return () => zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
    case 'zstd': {
      // Node 22.15+ and 23.8+ only.
      const create = (zlib as unknown as { createZstdDecompress?: () => Transform }).createZstdDecompress;
      return typeof create === 'function' ? () => create() : null;
    }
    default:
      return null;
  }
}

/**
 * The codings to undo, outermost first, or `null` when one is unknown (fetch then passes the bytes as
 * they came, still encoded).
 * @param header The `content-encoding` header.
 */
export function codingsOf(header: string | null): string[] | null {
  if (header === null) return [];
  const codings = header
    .split(',')
    .map((coding) => coding.trim().toLowerCase())
    .filter((coding) => coding !== '' && coding !== 'identity')
    .reverse();
  return codings.every((coding) => decoderFor(coding) !== null) ? codings : null;
}

const MAX_READ_BYTES = 16 * 1024;

/**
 * A web stream over a Node readable, read on demand.
 * @param source undici's body, or the decoder after it.
 * @param onCancel Destroys the request (and with it the socket) when the SDK cancels.
 * @param mapError Turns a Node error into what fetch's body would error with.
 */
function pullStream(source: Readable, onCancel: (reason: unknown) => void, mapError: (error: unknown) => unknown): ReadableStream<Uint8Array> {
  let failure: unknown = null;
  let isEnded = false;
  let wake: (() => void) | null = null;
  const notify = (): void => {
    const resume = wake;
    wake = null;
    resume?.();
  };
  source.on('readable', notify);
  source.once('end', () => {
    isEnded = true;
    notify();
  });
  source.on('error', (error) => {
    failure ??= mapError(error);
    notify();
  });
  return new ReadableStream<Uint8Array>(
    {
      pull(controller): Promise<void> | void {
        for (;;) {
          if (failure !== null) return controller.error(failure);
          // At most 16 KiB per read, as fetch hands them: an SDK's SSE decoder rescans its buffer per read,
          // so one read of everything buffered (40 KiB and more on loopback) cost the OpenAI SDK more (bench: transport).
          const chunk = source.read(Math.min(source.readableLength, MAX_READ_BYTES) || undefined) as Buffer | null;
          if (chunk !== null) return controller.enqueue(new Uint8Array(chunk.buffer, chunk.byteOffset, chunk.byteLength));
          if (isEnded) return controller.close();
          // Nothing buffered: wait for the socket (one pending promise per read, none while data flows).
          return new Promise<void>((resolve) => {
            wake = resolve;
          }).then(() => this.pull!(controller));
        }
      },
      cancel(reason) {
        onCancel(reason);
      },
    },
    { highWaterMark: 0 },
  );
}

/**
 * Builds the body the SDK reads.
 * @param body undici's response body.
 * @param codings From {@link codingsOf}: the codings to undo, outermost first.
 * @param onCancel Destroys the request.
 * @param mapError Maps a read failure to fetch's.
 */
export function responseBody(body: Readable, codings: readonly string[], onCancel: (reason: unknown) => void, mapError: (error: unknown) => unknown): ReadableStream<Uint8Array> {
  let tail: Readable = body;
  for (const coding of codings) {
    const decoder = decoderFor(coding)!();
    const from = tail;
    from.on('error', (error) => decoder.destroy(error));
    from.pipe(decoder);
    tail = decoder;
  }
  const decoded = tail;
  return pullStream(
    decoded,
    (reason) => {
      if (decoded !== body) decoded.destroy();
      onCancel(reason);
    },
    mapError,
  );
}
