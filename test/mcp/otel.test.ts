import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createSluice, type CallRecord } from '../../src/index.js';
import { mcp } from '../../src/mcp/index.js';
import { otelMcp } from '../../src/otel/index.js';
import { recordSpans } from '../../src/exporters/otlp/spans.js';
import { recordMetrics } from '../../src/exporters/otlp/metrics.js';
import { startMcpHttpServer } from './http-server.js';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});
beforeAll(() => void context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable()));
afterAll(() => context.disable());

async function toolCallRecords(json: boolean): Promise<{ records: CallRecord[]; exporter: InMemorySpanExporter; parentSpanId: string }> {
  const fixture = await startMcpHttpServer({ json });
  open.push(fixture);
  const exporter = new InMemorySpanExporter();
  const provider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
  const sluice = createSluice({ mcp: mcp({ servers: { fixture: { url: fixture.url } } }), session: 'conv-7' });
  open.push(sluice);
  const records: CallRecord[] = [];
  sluice.on('request:end', ({ record }) => void records.push(record));
  const stop = otelMcp(sluice, { tracerProvider: provider });
  const client = new Client({ name: 'test', version: '1.0.0' });
  await client.connect(new StreamableHTTPClientTransport(new URL(fixture.url), { fetch: sluice.fetch }));
  open.push(client);
  const tracer = provider.getTracer('app');
  const parentSpanId = await tracer.startActiveSpan('agent step', async (span) => {
    await client.callTool({ name: 'echo', arguments: { text: 'hi' } });
    await sluice.flush();
    await new Promise((resolve) => setImmediate(resolve));
    span.end();
    return span.spanContext().spanId;
  });
  stop();
  return { records, exporter, parentSpanId };
}

describe('MCP spans', () => {
  it('otelMcp() emits an execute_tool span per tool call, with the tool name, the call id and the session, under the caller\'s span', async () => {
    const { exporter, parentSpanId } = await toolCallRecords(true);
    const span = exporter.getFinishedSpans().find((entry) => entry.name === 'execute_tool echo')!;
    expect(span).toBeDefined();
    expect(span.attributes).toMatchObject({
      'gen_ai.operation.name': 'execute_tool',
      'gen_ai.tool.name': 'echo',
      'gen_ai.tool.call.id': '1',
      'mcp.method.name': 'tools/call',
      'mcp.session.id': 'session-1',
      'gen_ai.conversation.id': 'conv-7',
      'sluice.mcp.server': 'fixture',
    });
    expect(span.parentSpanContext?.spanId).toBe(parentSpanId);
    expect(exporter.getFinishedSpans().map((entry) => entry.name)).toContain('initialize');
    expect(trace.getActiveSpan()).toBeUndefined();
  });

  it('the OTLP exporter turns an MCP record into an execute_tool span, and leaves it out of the GenAI metrics', async () => {
    const { records } = await toolCallRecords(false);
    const record = records.find((entry) => entry.operation === 'mcp.tools/call')!;
    const [span, ...rest] = await recordSpans(record);
    expect(rest).toEqual([]);
    expect(span!.name).toBe('execute_tool echo');
    expect(Object.fromEntries(span!.attributes)).toMatchObject({ 'gen_ai.operation.name': 'execute_tool', 'gen_ai.tool.name': 'echo', 'gen_ai.tool.call.id': '1', 'gen_ai.conversation.id': 'conv-7', 'sluice.outcome': 'completed' });
    expect(recordMetrics(records).metrics).toEqual([]);
  });
});
