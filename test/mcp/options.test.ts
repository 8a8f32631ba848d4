import { describe, expect, it } from 'vitest';
import { createSluice, SluiceConfigError } from '../../src/index.js';
import { mcp } from '../../src/mcp/index.js';
import { compileGlob } from '../../src/mcp/options.js';
import { validate } from '../../src/mcp/schema.js';

function issues(run: () => unknown): string[] {
  try {
    run();
  } catch (error) {
    if (error instanceof SluiceConfigError) return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
    throw error;
  }
  return [];
}

describe('mcp() options', () => {
  it('refuses unknown keys with their path and the nearest valid key', () => {
    expect(issues(() => mcp({ servers: { docs: { url: 'http://127.0.0.1/mcp', alow: ['x'] } as never } }))).toEqual(['mcp().servers.docs.alow: unknown key; did you mean "allow"?']);
    expect(issues(() => mcp({ servers: { docs: { tools: { 'a*': { timeout: 5 } as never } } } }))).toEqual(['mcp().servers.docs.tools.a*.timeout: unknown key; did you mean "timeoutMs"?']);
  });

  it('refuses bad values and two servers on one endpoint', () => {
    const found = issues(() => mcp({ servers: { a: { url: 'ftp://x', timeoutMs: -1 } } }));
    expect(found.sort()).toEqual(['mcp().servers.a.timeoutMs: expected a finite number > 0', 'mcp().servers.a.url: Invalid url (expected http:// or https://)']);
    expect(issues(() => mcp({ servers: { a: { url: 'http://h/mcp' }, b: { url: 'http://h/mcp/' } } }))).toEqual(['mcp().servers.b.url: the same endpoint as servers.a']);
  });

  it('checks the PII and guard options with their own plugins', () => {
    expect(issues(() => mcp({ servers: {}, pii: { rules: { emial: 'redact' } as never } }))).toEqual(['pii().rules.emial: unknown rule; did you mean "email"?']);
  });

  it('createSluice({ mcp }) takes only the handler mcp() returns', () => {
    expect(issues(() => createSluice({ mcp: { servers: {} } as never }))).toEqual(["mcp: expected mcp({ servers }) from 'sluice/mcp'"]);
    expect(() => createSluice({ mcp: mcp({ servers: { docs: { url: 'http://127.0.0.1:1/mcp' } } }) })).not.toThrow();
  });

  it('compiles globs: * any characters, ? one, everything else literal', () => {
    expect(compileGlob('delete_*').test('delete_repo')).toBe(true);
    expect(compileGlob('delete_*').test('undelete_repo')).toBe(false);
    expect(compileGlob('get_?').test('get_a')).toBe(true);
    expect(compileGlob('a.b').test('axb')).toBe(false);
  });
});

describe('the JSON Schema subset', () => {
  const schema = {
    type: 'object',
    properties: {
      q: { type: 'string', minLength: 2, pattern: '^[a-z]+$' },
      n: { type: 'integer', minimum: 1, maximum: 10 },
      mode: { enum: ['fast', 'slow'] },
      tags: { type: 'array', items: { type: 'string' }, maxItems: 2 },
      either: { anyOf: [{ type: 'string' }, { type: 'number' }] },
    },
    required: ['q'],
    additionalProperties: false,
  };

  it('accepts valid arguments', () => {
    expect(validate({ q: 'abc', n: 3, mode: 'fast', tags: ['x'], either: 2 }, schema)).toEqual([]);
  });

  it('names each problem with its path', () => {
    expect(validate({ n: 1.5, extra: true }, schema)).toEqual(['/q: required', '/n: expected integer, received number', '/extra: not allowed (additionalProperties is false)']);
    expect(validate({ q: 'A', mode: 'x', tags: ['a', 'b', 3], either: true }, schema)).toEqual([
      '/q: expected at least 2 characters',
      '/q: does not match the pattern ^[a-z]+$',
      '/mode: expected one of "fast", "slow"',
      '/tags: expected at most 2 items',
      '/tags/2: expected string, received integer',
    ]);
  });

  it('accepts what it cannot judge ($ref, format) and never runs away on deep schemas', () => {
    expect(validate({ a: 1 }, { $ref: '#/definitions/x' })).toEqual([]);
    let deep: Record<string, unknown> = { type: 'object' };
    for (let index = 0; index < 100; index++) deep = { type: 'object', properties: { a: deep } };
    let value: Record<string, unknown> = {};
    for (let index = 0; index < 100; index++) value = { a: value };
    expect(validate(value, deep)).toEqual([]);
  });
});
