import { afterEach, describe, expect, it, vi } from 'vitest';
import { readFileSync } from 'node:fs';
import { COMMANDS, main } from '../../src/cli/index.js';

function capture() {
  const out: string[] = [];
  const err: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk) => (out.push(String(chunk)), true));
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk) => (err.push(String(chunk)), true));
  return { out, err };
}

afterEach(() => {
  vi.restoreAllMocks();
});

describe('the sluice command', () => {
  it('lists every registered command under --help and exits 0', async () => {
    const { out } = capture();
    expect(await main(['--help'])).toBe(0);
    for (const name of Object.keys(COMMANDS)) expect(out.join('')).toContain(name);
  });

  it('exits 2 with the usage when no command is given', async () => {
    const { out } = capture();
    expect(await main([])).toBe(2);
    expect(out.join('')).toContain('Usage: sluice <command>');
  });

  it('refuses an unknown command by name, and an inherited property name too', async () => {
    const { err } = capture();
    expect(await main(['nope'])).toBe(2);
    expect(await main(['toString'])).toBe(2);
    expect(err.join('')).toContain("unknown command 'nope'");
    expect(err.join('')).toContain("unknown command 'toString'");
  });

  it('prints the package version', async () => {
    const { out } = capture();
    const { version } = JSON.parse(readFileSync(new URL('../../package.json', import.meta.url), 'utf8')) as { version: string };
    expect(await main(['version'])).toBe(0);
    expect(out.join('')).toBe(`${version}\n`);
  });
});
