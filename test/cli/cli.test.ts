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

describe('sluice import-helicone', () => {
  it('prints the Sluice configuration as TypeScript and the warnings on stderr', async () => {
    const { mkdtempSync, writeFileSync } = await import('node:fs');
    const { tmpdir } = await import('node:os');
    const { join } = await import('node:path');
    const dir = mkdtempSync(join(tmpdir(), 'sluice-helicone-'));
    const file = join(dir, 'config.yaml');
    writeFileSync(file, 'routers:\n  prod:\n    load-balance:\n      chat:\n        strategy: latency\n        providers: [openai, anthropic]\n    model-mappings:\n      gpt-4o-mini: anthropic/claude-3-5-haiku\ntelemetry:\n  level: info\n');
    const { out, err } = capture();
    expect(await main(['import-helicone', file])).toBe(0);
    expect(out.join('')).toContain("import { createSluice } from 'sluice';");
    expect(out.join('')).toContain('"prod:gpt-4o-mini"');
    expect(err.join('')).toContain('warning: telemetry: no equivalent');
    out.length = 0;
    expect(await main(['import-helicone', file, '--json'])).toBe(0);
    const printed = JSON.parse(out.join('')) as { config: { models: Record<string, unknown> }; warnings: string[] };
    expect(printed.config.models['prod:gpt-4o-mini']).toEqual({ strategy: 'latency', targets: ['openai/gpt-4o-mini', 'anthropic/claude-3-5-haiku'] });
  });

  it('exits 2 without a file and 1 when the file cannot be read', async () => {
    const { err } = capture();
    expect(await main(['import-helicone'])).toBe(2);
    expect(await main(['import-helicone', '/nonexistent/helicone.yaml'])).toBe(1);
    expect(err.join('')).toContain('cannot read /nonexistent/helicone.yaml: ENOENT');
  });
});
