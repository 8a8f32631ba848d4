import { describe, expect, it } from 'vitest';
import type { IncomingMessage } from 'node:http';
import { Readable } from 'node:stream';
import { createGunzip, gzipSync, type Gunzip } from 'node:zlib';
import { readBody } from '../../src/collector/body.js';

/** A request whose body is `parts` one after the other, with the given headers. */
function fakeRequest(parts: readonly Buffer[], headers: Record<string, string>): IncomingMessage {
  let next = 0;
  const stream = new Readable({
    read() {
      this.push(next < parts.length ? parts[next++]! : null);
    },
  });
  return Object.assign(stream, { headers, complete: true }) as unknown as IncomingMessage;
}

describe('readBody', () => {
  it('cuts a gzip bomb off without inflating it all', async () => {
    // 64 gzip members of 4 MiB of spaces each (gunzip reads concatenated members as one stream): 256 MiB once inflated.
    const member = gzipSync(Buffer.alloc(4 * 1024 * 1024, 0x20));
    const parts = Array.from({ length: 64 }, () => member);
    const total = member.length * parts.length;
    let decoder: Gunzip | undefined;
    const result = await readBody(fakeRequest(parts, { 'content-encoding': 'gzip' }), 2 * total, () => (decoder = createGunzip()));
    // The wire cap let the whole compressed body through; the inflated cap stopped the decoder early.
    expect(result).toMatchObject({ ok: false, kind: 'too_large' });
    expect(decoder!.bytesWritten).toBeLessThan(total / 8);
  });

  it('reads a gzip body under the cap whole', async () => {
    const text = JSON.stringify({ records: [] }).repeat(100);
    const result = await readBody(fakeRequest([gzipSync(text)], { 'content-encoding': 'gzip' }), text.length);
    expect(result.ok && result.bytes.toString()).toBe(text);
  });
});
