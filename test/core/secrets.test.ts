import { describe, expect, it } from 'vitest';
import { MAX_LEARNED_SECRETS, REDACTED, scrubAndCut, SecretRegistry } from '../../src/core/secrets.js';

// Secrets use lower-case letters and digits; filler and the marker use neither, so any character of a
// secret left in the output shows.
const SECRETS = ['sk0123456', 'sk-proj-abcdefghij0123456789', 'ya29.a0abcdefghijklmnopqrstuvwxyz0123456789abcdefghijklmn'];
const leaked = /[a-z0-9]/;

describe('SecretRegistry', () => {
  it('replaces every known secret, longest first', () => {
    const registry = new SecretRegistry(['short', 'abcdefgh', 'xxabcdefghxx']);
    expect(registry.scrub('a abcdefgh b xxabcdefghxx c')).toBe(`a ${REDACTED} b ${REDACTED} c`);
    // Too short to be told from ordinary text.
    expect(registry.scrub('short')).toBe('short');
  });

  it('fuzz: a secret at any offset around the cut never survives, in part or whole', () => {
    for (const secret of SECRETS) {
      const registry = new SecretRegistry([secret]);
      for (const maxChars of [1, 7, 32, 100]) {
        for (let offset = 0; offset <= maxChars + secret.length; offset++) {
          const body = '~'.repeat(offset) + secret + '~'.repeat(maxChars + 5);
          const whole = scrubAndCut(registry, body, maxChars);
          expect(whole.length).toBeLessThanOrEqual(maxChars);
          expect(whole, `${secret} at ${offset}, cut at ${maxChars}`).not.toMatch(leaked);
          // A body already cut where it was captured (a stream), then scrubbed.
          const captured = scrubAndCut(registry, body.slice(0, maxChars), maxChars, true);
          expect(captured, `${secret} at ${offset}, captured ${maxChars}`).not.toMatch(leaked);
          // Twice in a row, the second straddling the cut.
          const twice = scrubAndCut(registry, '~'.repeat(offset) + secret + secret + '~'.repeat(3), maxChars + secret.length);
          expect(twice).not.toMatch(leaked);
        }
      }
    }
  });

  it('keeps an uncut body whole', () => {
    const registry = new SecretRegistry(['sk0123456']);
    expect(scrubAndCut(registry, '{"k":"sk0123"}', 100)).toBe('{"k":"sk0123"}');
  });

  it('learns credentials from outgoing headers, bounded', () => {
    const registry = new SecretRegistry([]);
    registry.learnFromHeaders({ Authorization: 'Bearer minted-token-123', 'x-api-key': 'sdk-own-key-456', 'content-type': 'application/json' });
    registry.learnFromHeaders(new Headers({ 'x-amz-security-token': 'session-token-789', authorization: 'AWS4-HMAC-SHA256 Credential=AKIA/x, Signature=abc' }));
    expect(registry.scrub('minted-token-123 sdk-own-key-456 session-token-789 application/json')).toBe(`${REDACTED} ${REDACTED} ${REDACTED} application/json`);
    expect(registry.secrets.length).toBe(3);
    for (let index = 0; index < MAX_LEARNED_SECRETS * 2; index++) registry.learn(`learned-secret-${index}`);
    expect(registry.secrets.length).toBe(MAX_LEARNED_SECRETS);
  });

  it('a stream scrubber replaces a secret split at any point across chunks, and its output joins to the scrubbed whole', () => {
    const secret = 'sk-stream-0123456789';
    const registry = new SecretRegistry([secret]);
    const body = `data: {"text":"a ${secret} b s"}\n\ndata: {"text":"${secret}"}\n\n`;
    const whole = registry.scrub(body);
    const encoder = new TextEncoder();
    const decoder = new TextDecoder();
    for (let first = 1; first < body.length; first++) {
      for (const second of [first + 1, first + 7, body.length - 1]) {
        if (second <= first || second >= body.length) continue;
        const scrubber = registry.streamScrubber();
        const out = [body.slice(0, first), body.slice(first, second), body.slice(second)].map((piece) => decoder.decode(scrubber.push(encoder.encode(piece)))).join('');
        expect(out).toBe(whole);
      }
    }
  });

  it('scrubs bytes, leaving a clean chunk as it is', () => {
    const registry = new SecretRegistry(['sk0123456']);
    const clean = new TextEncoder().encode('data: {"a":1}\n\n');
    expect(registry.streamScrubber().push(clean)).toBe(clean);
    const dirty = new TextEncoder().encode('data: {"a":"sk0123456","b":"é sk0123456"}\n\n');
    expect(new TextDecoder().decode(registry.streamScrubber().push(dirty))).toBe(`data: {"a":"${REDACTED}","b":"é ${REDACTED}"}\n\n`);
  });
});
