import { afterEach, describe, expect, it } from 'vitest';
import type { CallRecord } from '../../src/events/record.js';
import { otlpExporter } from '../../src/exporters/otlp/index.js';
import { makeRecord } from '../helpers/record.js';
import { closeAll, INGEST_KEY, READ_KEY, start } from './helpers.js';

afterEach(closeAll);

describe('POST /v1/traces', () => {
  it.each(['http/protobuf', 'http/json'] as const)('stores the GenAI spans of an OTLP export (%s) as records, once each', async (protocol) => {
    const running = await start({ storage: 'sqlite::memory:' });
    const exporter = otlpExporter({ url: running.url, protocol, signals: ['traces'], headers: { authorization: `Bearer ${INGEST_KEY}` } });
    const records = [makeRecord({ user: null, session: 'otel-session' }), makeRecord({ user: null, session: 'otel-session', startedAt: 1_700_000_001_000 })];
    const signal = AbortSignal.timeout(5000);
    await exporter.export(records, signal);
    await exporter.export(records, signal); // sent again: duplicates, stored once
    const page = (await (await running.get('/v1/records?session=otel-session')).json()) as { records: CallRecord[] };
    expect(page.records.map((record) => record.id).sort()).toEqual(records.map((record) => record.id).sort());
    expect(page.records.find((record) => record.id === records[0]!.id)!.usage.inputTokens).toBe(records[0]!.usage.inputTokens);
  });

  it('needs an ingest key, and answers 415 for a body that is not OTLP and 400 for a malformed one', async () => {
    const running = await start();
    const post = (body: string, headers: Record<string, string>) => fetch(`${running.url}/v1/traces`, { method: 'POST', headers, body });
    expect((await post('{}', { 'content-type': 'application/json', authorization: `Bearer ${READ_KEY}` })).status).toBe(401);
    expect((await post('hello', { 'content-type': 'text/plain', authorization: `Bearer ${INGEST_KEY}` })).status).toBe(415);
    const malformed = await post('{"resourceSpans": 7}', { 'content-type': 'application/json', authorization: `Bearer ${INGEST_KEY}` });
    expect(malformed.status).toBe(400);
    expect(await malformed.json()).toMatchObject({ error: { code: 'malformed_otlp' } });
  });
});
