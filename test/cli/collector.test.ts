import { afterEach, describe, expect, it, vi } from 'vitest';
import { main } from '../../src/cli/index.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  return { out: () => out.join(''), err: () => err.join('') };
}

afterEach(() => {
  vi.restoreAllMocks();
  vi.unstubAllEnvs();
});

describe('sluice collector', () => {
  it('lists every flag and its environment variable under --help', async () => {
    const { out } = capture();
    expect(await main(['collector', '--help'])).toBe(0);
    for (const flag of ['--storage', '--port', '--host', '--ingest-key', '--ingest-key-file', '--read-key', '--read-key-file', '--admin-key', '--retention', '--open', '--cors-origin', '--max-body-bytes']) expect(out()).toContain(flag);
    for (const name of ['SLUICE_COLLECTOR_STORAGE', 'SLUICE_COLLECTOR_PORT', 'SLUICE_COLLECTOR_HOST', 'SLUICE_COLLECTOR_INGEST_KEYS', 'SLUICE_COLLECTOR_INGEST_KEY_FILE', 'SLUICE_COLLECTOR_READ_KEYS', 'SLUICE_COLLECTOR_RETENTION', 'SLUICE_COLLECTOR_OPEN']) expect(out()).toContain(name);
  });

  it('exits 2 naming the problem for an unknown flag, a bad port, an unreadable key file or no ingest key', async () => {
    const { err } = capture();
    vi.stubEnv('SLUICE_COLLECTOR_INGEST_KEYS', '');
    expect(await main(['collector', '--prot', '1'])).toBe(2);
    expect(err()).toContain("'--prot'");
    expect(await main(['collector', '--port', 'eighty', '--ingest-key', 'k'.repeat(20)])).toBe(2);
    expect(err()).toContain('--port: expected an integer from 0 to 65535');
    expect(await main(['collector', '--ingest-key-file', '/nonexistent/keys'])).toBe(2);
    expect(err()).toContain('--ingest-key-file: cannot read /nonexistent/keys (ENOENT)');
    vi.stubEnv('SLUICE_COLLECTOR_PORT', '99999');
    expect(await main(['collector', '--ingest-key', 'k'.repeat(20)])).toBe(2);
    expect(err()).toContain("got '99999'");
    vi.stubEnv('SLUICE_COLLECTOR_PORT', '');
    expect(await main(['collector'])).toBe(2);
    expect(err()).toContain('no ingest key');
  });

  it('exits 1 with the reason when the collector cannot start, never printing a key', async () => {
    const { err } = capture();
    expect(await main(['collector', '--storage', 'sqlite::memory:', '--ingest-key', 'short-key', '--port', '0'])).toBe(1);
    expect(err()).toContain('ingest key must have at least 16 characters');
    expect(err()).not.toContain('short-key');
    expect(await main(['collector', '--storage', 'sqlite::memory:', '--ingest-key', 'k'.repeat(20), '--retention', 'forever', '--port', '0'])).toBe(1);
    expect(err()).toContain('retention must be a period');
  });
});
