import { describe, expect, it, vi } from 'vitest';
import { consoleExporter } from '../../src/exporters/console.js';
import { makeRecord } from '../helpers/record.js';

const signal = new AbortController().signal;

describe('consoleExporter', () => {
  it('prints one summary line per record', async () => {
    const lines: string[] = [];
    const exporter = consoleExporter({ log: (line) => lines.push(line) });
    await exporter.export([makeRecord({ id: 'a' }), makeRecord({ id: 'b', latencyMs: 12.6 })], signal);
    expect(lines).toEqual([
      '[sluice] a openai/gpt-4o-mini 200 412ms in=12 out=48 $0.000031',
      '[sluice] b openai/gpt-4o-mini 200 13ms in=12 out=48 $0.000031',
    ]);
    expect(exporter.name).toBe('console');
  });

  it('shows - for a null cost and unknown tokens', async () => {
    const lines: string[] = [];
    const exporter = consoleExporter({ log: (line) => lines.push(line) });
    const usage = { inputTokens: null, outputTokens: null, cachedTokens: null, reasoningTokens: null, cacheWriteTokens: null };
    await exporter.export([makeRecord({ id: 'x', costUsd: null, usage })], signal);
    expect(lines).toEqual(['[sluice] x openai/gpt-4o-mini 200 412ms in=- out=- $-']);
  });

  it('shows the outcome when there is no status and the model alone when there is no provider', async () => {
    const lines: string[] = [];
    const exporter = consoleExporter({ log: (line) => lines.push(line) });
    await exporter.export([makeRecord({ id: 'n', status: null, outcome: 'errored', provider: null })], signal);
    expect(lines[0]).toBe('[sluice] n gpt-4o-mini errored 412ms in=12 out=48 $0.000031');
  });

  it('never prints bodies in the line format', async () => {
    const lines: string[] = [];
    const exporter = consoleExporter({ log: (line) => lines.push(line) });
    await exporter.export([makeRecord({ requestBody: '{"secret":"prompt"}', responseBody: '{"secret":"answer"}' })], signal);
    expect(lines.join('\n')).not.toContain('secret');
  });

  it('prints the whole record as one JSON line with format json', async () => {
    const lines: string[] = [];
    const record = makeRecord({ responseBody: 'line one\nline two' });
    await consoleExporter({ format: 'json', log: (line) => lines.push(line) }).export([record], signal);
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(JSON.parse(lines[0] ?? '')).toEqual(record);
  });

  it('writes to console.log by default', async () => {
    const spy = vi.spyOn(console, 'log').mockImplementation(() => undefined);
    try {
      await consoleExporter().export([makeRecord({ id: 'default' })], signal);
      expect(spy).toHaveBeenCalledOnce();
      expect(spy.mock.calls[0]?.[0]).toMatch(/^\[sluice\] default /);
    } finally {
      spy.mockRestore();
    }
  });

  it('rejects an unknown format when created', () => {
    // @ts-expect-error: testing the runtime check
    expect(() => consoleExporter({ format: 'yaml' })).toThrow(/format/);
  });
});
