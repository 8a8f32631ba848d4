import { describe, expect, it } from 'vitest';
import { isSluiceError, SluiceConfigError } from '../../src/core/errors.js';
import { cache } from '../../src/plugins/cache/index.js';
import { decodeEntry, encodeEntry, matchesRequest, type CacheEntry } from '../../src/plugins/cache/entry.js';
import { cacheKey, canonicalJson, hashText, IGNORED_FIELDS, type KeyInput } from '../../src/plugins/cache/key.js';
import { parseDuration, resolveCacheOptions } from '../../src/plugins/cache/options.js';

const messages = [{ role: 'user', content: 'hello' }];
const input = (body: unknown, extra: Partial<KeyInput> = {}): KeyInput => ({
  dialect: 'openai',
  operation: 'chat',
  requestedModel: 'gpt-4o-mini',
  shape: null,
  body,
  ...extra,
});
const keyOf = (body: unknown, extra: Partial<KeyInput> = {}, namespace = 'default'): string => cacheKey(input(body, extra), namespace, hashText).key;

describe('canonicalJson', () => {
  it('sorts object keys at every depth and keeps array order', () => {
    expect(canonicalJson({ b: 1, a: { d: [3, { z: 1, y: 2 }], c: 'x' } })).toBe('{"a":{"c":"x","d":[3,{"y":2,"z":1}]},"b":1}');
  });

  it('leaves out top-level fields to skip, but not nested ones with the same name', () => {
    expect(canonicalJson({ user: 'u', a: { user: 'kept' } }, new Set(['user']))).toBe('{"a":{"user":"kept"}}');
  });

  it('serialises like JSON.stringify for values it meets', () => {
    const value = { s: 'line\n"quoted" é 😀', n: -1.5e-7, t: true, f: false, z: null, u: undefined, list: [undefined, NaN, 'x'] };
    expect(JSON.parse(canonicalJson(value))).toEqual(JSON.parse(JSON.stringify(value)));
  });
});

describe('cache key', () => {
  it('does not depend on the order of keys', () => {
    const a = { model: 'gpt-4o-mini', messages, temperature: 0.2, tools: [{ type: 'function', function: { name: 'f', parameters: { type: 'object', properties: {} } } }] };
    const b = { tools: [{ function: { parameters: { properties: {}, type: 'object' }, name: 'f' }, type: 'function' }], temperature: 0.2, messages, model: 'gpt-4o-mini' };
    expect(keyOf(a)).toBe(keyOf(b));
  });

  it('ignores user, metadata, stream and the other delivery fields', () => {
    const base = { model: 'gpt-4o-mini', messages };
    const noisy = {
      ...base,
      user: 'alice',
      metadata: { trace: '1' },
      stream: true,
      stream_options: { include_usage: true },
      store: true,
      service_tier: 'flex',
      prompt_cache_key: 'k',
      safety_identifier: 'h',
    };
    expect(keyOf(noisy)).toBe(keyOf(base));
    expect([...IGNORED_FIELDS]).toContain('metadata');
  });

  it('changes with anything that changes the answer', () => {
    const base = { model: 'gpt-4o-mini', messages, temperature: 0 };
    const key = keyOf(base);
    expect(keyOf({ ...base, temperature: 0.7 })).not.toBe(key);
    expect(keyOf({ ...base, messages: [{ role: 'user', content: 'hello!' }] })).not.toBe(key);
    expect(keyOf({ ...base, seed: 1 })).not.toBe(key);
    expect(keyOf(base, { requestedModel: 'gpt-4o' })).not.toBe(key);
    expect(keyOf(base, { operation: 'responses' })).not.toBe(key);
    expect(keyOf(base, { dialect: 'anthropic' })).not.toBe(key);
    expect(keyOf(base, { shape: true })).not.toBe(keyOf(base, { shape: false }));
    expect(keyOf(base, {}, 'other')).not.toBe(key);
  });

  it('is prefixed with the namespace and carries a check and the text length', () => {
    const key = cacheKey(input({ model: 'gpt-4o-mini', messages }), 'tenant-1', hashText);
    expect(key.key).toMatch(/^tenant-1:[0-9a-f]{16}$/);
    expect(key.check).toMatch(/^[0-9a-f]{8}$/);
    expect(key.length).toBeGreaterThan(20);
  });

  it('hashes deterministically and spreads similar texts', () => {
    expect(hashText('abc')).toEqual(hashText('abc'));
    const seen = new Set<string>();
    for (let index = 0; index < 20_000; index++) seen.add(hashText(`{"n":${index}}`).key);
    expect(seen.size).toBe(20_000);
    expect(hashText('a').check).not.toBe(hashText('b').check);
  });
});

describe('entries', () => {
  const usage = { inputTokens: 9, outputTokens: 2, cachedTokens: null, reasoningTokens: null, cacheWriteTokens: null };
  const entry: CacheEntry = {
    meta: { version: 1, length: 120, check: 'abcd0123', kind: 'sse', status: 200, contentType: 'text/event-stream', model: 'gpt-4o', usage, hasUsageChunk: false, chunks: [3, 4] },
    body: 'ab\ncdef',
  };

  it('round-trip through their text form, newlines in the body included', () => {
    expect(decodeEntry(encodeEntry(entry))).toEqual(entry);
  });

  it('detect a collision: same key, different check or length', () => {
    expect(matchesRequest(entry, 120, 'abcd0123')).toBe(true);
    expect(matchesRequest(entry, 120, 'ffff0000')).toBe(false);
    expect(matchesRequest(entry, 121, 'abcd0123')).toBe(false);
  });

  it('reject malformed values', () => {
    expect(decodeEntry('no newline')).toBeNull();
    expect(decodeEntry('{not json}\nbody')).toBeNull();
    expect(decodeEntry(encodeEntry({ ...entry, meta: { ...entry.meta, status: 500 } }))).toBeNull();
    expect(decodeEntry(encodeEntry({ ...entry, body: 'truncated' }))).toBeNull();
    expect(decodeEntry(JSON.stringify({ ...entry.meta, version: 2 }) + '\nab\ncdef')).toBeNull();
  });
});

describe('durations', () => {
  it('parses ms, s, m, h and d, and numbers as milliseconds', () => {
    expect(parseDuration('500ms')).toBe(500);
    expect(parseDuration('30s')).toBe(30_000);
    expect(parseDuration('10m')).toBe(600_000);
    expect(parseDuration('2h')).toBe(7_200_000);
    expect(parseDuration('1d')).toBe(86_400_000);
    expect(parseDuration('1.5s')).toBe(1500);
    expect(parseDuration(250)).toBe(250);
  });

  it('rejects zero, negatives, unitless strings and other types', () => {
    for (const value of ['0s', '10', '-5m', '5 minutes', '', 0, -1, Infinity, null, {}]) expect(parseDuration(value)).toBeNull();
  });
});

describe('cache() options', () => {
  it('fills defaults', () => {
    const resolved = resolveCacheOptions(undefined);
    expect(resolved).toMatchObject({ ttlMs: 3_600_000, namespace: 'default', bucketSize: 1, maxEntryBytes: 1_048_576, storeTimeoutMs: 50 });
    expect([...resolved.operations]).toEqual(['chat', 'responses', 'embeddings']);
  });

  it('reports every problem with a path rooted at cache()', () => {
    let error: unknown;
    try {
      cache({ ttl: 'ten minutes', bucketSize: 0, namespace: 'has space', ttlMs: 5 } as never);
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(SluiceConfigError);
    expect(isSluiceError(error)).toBe(true);
    const issues = (error as SluiceConfigError).issues;
    expect(issues).toEqual(
      expect.arrayContaining([
        { path: 'cache().ttl', message: 'expected a duration like "10m" (ms, s, m, h, d) or a number of milliseconds > 0' },
        { path: 'cache().bucketSize', message: 'expected an integer from 1 to 1000' },
        { path: 'cache().ttlMs', message: 'unknown key; did you mean "ttl"?' },
      ]),
    );
    expect(issues.map((issue) => issue.path)).toContain('cache().namespace');
  });

  it('rejects a store without the CacheStore methods and unknown operations', () => {
    expect(() => cache({ store: {} as never })).toThrow(/cache\(\)\.store: expected a CacheStore/);
    expect(() => cache({ operations: ['models' as never] })).toThrow(/cache\(\)\.operations/);
  });

  it('returns one named middleware', () => {
    expect(cache().name).toBe('cache');
  });
});
