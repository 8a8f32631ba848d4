/**
 * Request bodies of every kind `fetch` takes, turned into what undici's `request()` sends, with the
 * `content-type` fetch would have added (https://fetch.spec.whatwg.org/#concept-bodyinit-extract).
 * @module
 */

/** What undici sends: bytes, a string, or an async iterable of bytes (streamed with chunked framing). */
export type WireBody = string | Uint8Array | AsyncIterable<Uint8Array> | null;

/** A request body ready for undici, and what fetch derives from it. */
export interface ExtractedBody {
  body: WireBody;
  /** The `content-type` fetch sets when the caller gave none (`null`: none). */
  contentType: string | null;
  /** Whether the body can be sent again (a redirect with 307/308): a stream cannot. */
  isReplayable: boolean;
}

const NO_BODY: ExtractedBody = { body: null, contentType: null, isReplayable: true };

/**
 * Extracts a request body as fetch does.
 * @param body The caller's `init.body`.
 */
export async function extractBody(body: BodyInit | null | undefined): Promise<ExtractedBody> {
  if (body === null || body === undefined) return NO_BODY;
  if (typeof body === 'string') return { body, contentType: 'text/plain;charset=UTF-8', isReplayable: true };
  if (body instanceof Uint8Array) return { body, contentType: null, isReplayable: true };
  if (ArrayBuffer.isView(body)) return { body: new Uint8Array(body.buffer, body.byteOffset, body.byteLength), contentType: null, isReplayable: true };
  if (body instanceof ArrayBuffer) return { body: new Uint8Array(body), contentType: null, isReplayable: true };
  if (body instanceof URLSearchParams) return { body: body.toString(), contentType: 'application/x-www-form-urlencoded;charset=UTF-8', isReplayable: true };
  if (body instanceof ReadableStream) return { body: body as ReadableStream<Uint8Array> & AsyncIterable<Uint8Array>, contentType: null, isReplayable: false };
  if (body instanceof Blob) {
    // A Blob's bytes are in memory already; read once, they can be sent with a length (as fetch does).
    return { body: new Uint8Array(await body.arrayBuffer()), contentType: body.type === '' ? null : body.type, isReplayable: true };
  }
  if (body instanceof FormData) {
    // The platform's own multipart encoder: the boundary and the bytes are the ones fetch would send.
    const encoded = new Response(body);
    const contentType = encoded.headers.get('content-type');
    return { body: new Uint8Array(await encoded.arrayBuffer()), contentType, isReplayable: true };
  }
  throw new TypeError(`sluice/node: unsupported request body of type ${Object.prototype.toString.call(body)}`);
}
