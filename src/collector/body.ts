/**
 * Reads a request body with a byte cap, before and after decompression. A gzip body is inflated as a
 * stream and cut off as soon as the inflated bytes pass the cap, so a gzip bomb costs at most the cap
 * (plus one zlib chunk) in memory and CPU, never its full inflated size.
 * @module
 */
import type { IncomingMessage } from 'node:http';
import { createGunzip, type Gunzip } from 'node:zlib';

/** Why a body could not be read. */
export type BodyFailure =
  | { kind: 'too_large'; message: string }
  | { kind: 'unsupported_encoding'; message: string }
  | { kind: 'bad_encoding'; message: string }
  | { kind: 'aborted'; message: string };

/** A body read whole, or why not. */
export type BodyResult = { ok: true; bytes: Buffer } | ({ ok: false } & BodyFailure);

/**
 * Reads `request`'s body, inflating `content-encoding: gzip`, refusing bodies over `maxBytes` (raw or inflated).
 * @param request The incoming request.
 * @param maxBytes The cap, for the bytes on the wire and for the inflated bytes alike.
 * @param createDecoder Makes the gzip decoder (tests pass one they can inspect).
 */
export function readBody(request: IncomingMessage, maxBytes: number, createDecoder: () => Gunzip = createGunzip): Promise<BodyResult> {
  const encoding = (request.headers['content-encoding'] ?? 'identity').trim().toLowerCase();
  if (encoding !== 'identity' && encoding !== 'gzip' && encoding !== 'x-gzip') {
    return Promise.resolve({ ok: false, kind: 'unsupported_encoding', message: `content-encoding '${encoding.slice(0, 32)}' is not supported; send identity or gzip` });
  }
  const declared = Number(request.headers['content-length']);
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Promise.resolve({ ok: false, kind: 'too_large', message: `the body is ${declared} bytes; the limit is ${maxBytes}` });
  }
  return new Promise<BodyResult>((resolve) => {
    let settled = false;
    const chunks: Buffer[] = [];
    let rawBytes = 0;
    let bytes = 0;
    const gunzip = encoding === 'identity' ? null : createDecoder();
    const finish = (result: BodyResult): void => {
      if (settled) return;
      settled = true;
      request.off('data', onRaw);
      if (gunzip) {
        gunzip.removeAllListeners('data');
        gunzip.destroy();
      }
      if (!result.ok) request.resume(); // discard the rest; the answer closes the connection
      resolve(result);
    };
    const tooLarge = (what: string): void => finish({ ok: false, kind: 'too_large', message: `the ${what} body exceeds the limit of ${maxBytes} bytes` });
    const onDecoded = (chunk: Buffer): void => {
      bytes += chunk.length;
      if (bytes > maxBytes) return tooLarge(gunzip ? 'decompressed' : 'request');
      chunks.push(chunk);
    };
    const onRaw = (chunk: Buffer): void => {
      rawBytes += chunk.length;
      if (rawBytes > maxBytes) return tooLarge('request');
      if (!gunzip) return onDecoded(chunk);
      if (!gunzip.write(chunk)) {
        request.pause();
        gunzip.once('drain', () => request.resume());
      }
    };
    request.on('data', onRaw);
    const gone = (): void => finish({ ok: false, kind: 'aborted', message: 'the client went away' });
    request.once('close', () => {
      if (!request.complete) gone();
    });
    request.once('error', gone);
    if (gunzip) {
      gunzip.on('data', onDecoded);
      gunzip.once('error', () => finish({ ok: false, kind: 'bad_encoding', message: 'the body is not valid gzip' }));
      gunzip.once('end', () => finish({ ok: true, bytes: Buffer.concat(chunks) }));
      request.once('end', () => {
        if (!settled) gunzip.end();
      });
    } else {
      request.once('end', () => finish({ ok: true, bytes: Buffer.concat(chunks) }));
    }
  });
}
