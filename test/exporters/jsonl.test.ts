import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { BatchQueue } from '../../src/exporters/batch-queue.js';
import { jsonlExporter } from '../../src/exporters/node/jsonl.js';
import { makeRecord } from '../helpers/record.js';

const signal = new AbortController().signal;

async function readLines(path: string): Promise<unknown[]> {
  const text = await readFile(path, 'utf8');
  expect(text.endsWith('\n')).toBe(true);
  return text.trimEnd().split('\n').map((line) => JSON.parse(line) as unknown);
}

describe('jsonlExporter', () => {
  let directory = '';

  beforeEach(async () => {
    directory = await mkdtemp(join(tmpdir(), 'sluice-jsonl-'));
  });

  afterEach(async () => {
    await rm(directory, { recursive: true, force: true });
  });

  it('writes one line per record and creates missing directories', async () => {
    const path = join(directory, 'nested', 'deeper', 'calls.jsonl');
    const exporter = jsonlExporter({ path });
    const records = [makeRecord(), makeRecord(), makeRecord()];
    await exporter.export(records, signal);
    await exporter.export([makeRecord({ id: 'last' })], signal);
    await exporter.close?.();
    const lines = await readLines(path);
    expect(lines).toHaveLength(4);
    expect(lines.slice(0, 3)).toEqual(records);
    expect(lines[3]).toMatchObject({ id: 'last' });
  });

  it('writes bodies as null with bodies: false', async () => {
    const path = join(directory, 'calls.jsonl');
    const exporter = jsonlExporter({ path, bodies: false });
    await exporter.export([makeRecord({ requestBody: '{"a":1}', responseBody: '{"b":2}' })], signal);
    const [line] = await readLines(path);
    expect(line).toMatchObject({ requestBody: null, responseBody: null });
  });

  it('keeps concurrent batches whole and in order, and close waits for them', async () => {
    const path = join(directory, 'calls.jsonl');
    const exporter = jsonlExporter({ path });
    const first = [makeRecord({ id: 'a1' }), makeRecord({ id: 'a2' })];
    const second = [makeRecord({ id: 'b1' })];
    void exporter.export(first, signal);
    void exporter.export(second, signal);
    await exporter.close?.();
    const ids = (await readLines(path)).map((line) => (line as { id: string }).id);
    expect(ids).toEqual(['a1', 'a2', 'b1']);
  });

  it('rejects an aborted batch without writing, and exports after close', async () => {
    const path = join(directory, 'calls.jsonl');
    const exporter = jsonlExporter({ path });
    await expect(exporter.export([makeRecord()], AbortSignal.abort())).rejects.toThrow();
    await exporter.close?.();
    await expect(exporter.export([makeRecord()], signal)).rejects.toThrow(/closed/);
    await expect(readFile(path, 'utf8')).rejects.toThrow(/ENOENT/);
  });

  it('works behind a BatchQueue', async () => {
    const path = join(directory, 'queue', 'calls.jsonl');
    const queue = new BatchQueue(jsonlExporter({ path }), { maxBatchSize: 2 });
    for (let index = 0; index < 5; index++) queue.push(makeRecord());
    await queue.close();
    expect(await readLines(path)).toHaveLength(5);
    expect(queue.exported).toBe(5);
  });
});
