import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { AuditTrail } from '../../src/audit/trail.js';
import { main } from '../../src/cli/index.js';
import type { AuditEvent } from '../../src/audit/chain.js';

let dir: string;
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'sluice-audit-cli-'));
});
afterAll(async () => {
  await rm(dir, { recursive: true, force: true });
});
afterEach(() => {
  vi.restoreAllMocks();
});

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  return { out: () => out.join(''), err: () => err.join('') };
}

/** A signed trail of five events, as lines. */
async function lines(hmacKey: string): Promise<string[]> {
  const written: AuditEvent[] = [];
  const trail = new AuditTrail({ exporters: [{ exporter: { name: 'memory', export: async (events) => void written.push(...(events as unknown as AuditEvent[])) }, queue: {} }], hmacKey });
  for (let index = 0; index < 5; index++) trail.append('guard:match', { id: `call_${index}`, rule: 'email', action: 'redact', count: 1 });
  await trail.close();
  return written.map((event) => JSON.stringify(event));
}

describe('sluice audit verify', () => {
  it('exits 0 on an untouched trail and 1 naming the first bad line of a tampered one', async () => {
    const key = join(dir, 'key');
    await writeFile(key, 'cli-hmac-key-0123456789\n');
    const trail = await lines('cli-hmac-key-0123456789');
    const good = join(dir, 'good.jsonl');
    await writeFile(good, `${trail.join('\n')}\n`);
    const bad = join(dir, 'bad.jsonl');
    await writeFile(bad, `${[trail[0], trail[1], trail[3], trail[4]].join('\n')}\n`);

    let io = capture();
    expect(await main(['audit', 'verify', good, '--hmac-key-file', key])).toBe(0);
    expect(io.out()).toContain('ok: 5 events in 1 chain(s)');
    vi.restoreAllMocks();
    io = capture();
    expect(await main(['audit', 'verify', bad, '--hmac-key-file', key])).toBe(1);
    expect(io.out()).toContain(`${bad}:3: seq 3 after 1`);
    vi.restoreAllMocks();
    io = capture();
    // Signed with another key: line 1 already fails.
    await writeFile(key, 'another-key-0123456789');
    expect(await main(['audit', 'verify', good, '--hmac-key-file', key])).toBe(1);
    expect(io.out()).toContain(`${good}:1: its HMAC does not match`);
  });

  it('exits 2 on a usage error', async () => {
    const io = capture();
    expect(await main(['audit', 'check'])).toBe(2);
    expect(await main(['audit', 'verify'])).toBe(2);
    expect(io.err()).toContain('Usage: sluice audit verify');
  });
});
