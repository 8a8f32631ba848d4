/**
 * OpenTelemetry: an HTTP server whose request handler calls the OpenAI SDK through Sluice with
 * `otel()`. The model call appears as a child of the server's span, with a child span per upstream
 * attempt (here a 503 from the first target, then a fallback). Prints the span tree. No keys needed:
 * the mock provider answers.
 * Run: node --import tsx examples/opentelemetry.ts
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { context, SpanKind, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor, type ReadableSpan } from '@opentelemetry/sdk-trace-base';
import OpenAI from 'openai';
import { createSluice } from '../src/index.js';
import { otel } from '../src/otel/index.js';
import { createMockProvider } from '../src/testing/index.js';

// What an app's OpenTelemetry setup does (the Node SDK does the same with an OTLP exporter).
const exporter = new InMemorySpanExporter();
const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] });
trace.setGlobalTracerProvider(tracerProvider);
context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());

const mock = await createMockProvider();
const sluice = createSluice({
  providers: { primary: { kind: 'openai', baseURL: mock.baseURL, apiKey: 'sk-primary' }, backup: { kind: 'anthropic', baseURL: mock.url, apiKey: 'sk-backup' } },
  models: { assistant: { strategy: 'priority', targets: ['primary/gpt-4o-mini', 'backup/claude-sonnet-4-5'], retries: 0 } },
  use: [otel()],
});
const openai = new OpenAI({ baseURL: 'https://api.openai.com/v1', apiKey: 'unused', fetch: sluice.fetch, maxRetries: 0 });

// The app's own server span, as an HTTP instrumentation would make it.
const tracer = trace.getTracer('app');
const server = createServer((request: IncomingMessage, response: ServerResponse) => {
  void tracer.startActiveSpan(`${request.method} ${request.url}`, { kind: SpanKind.SERVER }, async (span) => {
    const completion = await openai.chat.completions.create({ model: 'assistant', messages: [{ role: 'user', content: 'Say hello' }] });
    response.end(completion.choices[0]?.message.content ?? '');
    span.end();
  });
});
await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));

mock.script({ kind: 'error', status: 503 });
const { port } = server.address() as AddressInfo;
console.log('answer:', await (await fetch(`http://127.0.0.1:${port}/ask`)).text());
await sluice.flush();

// Print the tree: children under their parents, with the attributes that matter.
const spans = exporter.getFinishedSpans();
const childrenOf = (parent: ReadableSpan | null): ReadableSpan[] =>
  spans.filter((span) => (parent === null ? span.parentSpanContext === undefined : span.parentSpanContext?.spanId === parent.spanContext().spanId));
const show = (span: ReadableSpan, depth: number): void => {
  const keys = ['gen_ai.provider.name', 'gen_ai.response.model', 'gen_ai.usage.input_tokens', 'gen_ai.usage.output_tokens', 'http.response.status_code', 'error.type', 'sluice.cost_usd'];
  const attributes = keys.filter((key) => span.attributes[key] !== undefined).map((key) => `${key}=${String(span.attributes[key])}`);
  const ms = (span.duration[0] * 1e3 + span.duration[1] / 1e6).toFixed(1);
  console.log(`${'  '.repeat(depth)}${span.name} (${ms} ms) ${attributes.join(' ')}`);
  for (const child of childrenOf(span)) show(child, depth + 1);
};
for (const root of childrenOf(null)) show(root, 0);

server.close();
await sluice.close();
await mock.close();
