/**
 * What `otel()` adds to a call (issue 13): the same pipeline with and without `otel()`, the OpenTelemetry
 * SDK registered with its batch span processor (spans exported to a sink that drops them) and a
 * meter provider, against the same fake upstream `fetch` (no socket), interleaved in one run.
 * @module
 */
import { BasicTracerProvider, BatchSpanProcessor, type SpanExporter } from '@opentelemetry/sdk-trace-base';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { createSluice } from 'sluice';
import { otel } from 'sluice/otel';
import { roundDeltas, timeCalls, type CallSeries, type SampleCounts } from './lib/samples.js';
import { markdownTable, mark, signedUs, us } from './lib/table.js';
import { chatInit, fakeProvider, ISOLATED_URL, openaiChatEvents, openaiChatJson, REPLY_TEXT } from './lib/upstream.js';

/** What the otel measurement found. */
export interface OtelResult {
  series: Record<'without' | 'with', CallSeries>;
  /** Spans the SDK ended (the batch processor's sink counts them). */
  spans: number;
  checksum: number;
}

/** The target for `otel()`'s added p50, ms. */
export const OTEL_TARGET_MS = 0.015;

/**
 * Measures `otel()` against the same zero-config pipeline without it.
 * @param counts - fixed counts
 */
export async function measureOtel(counts: SampleCounts): Promise<OtelResult> {
  let spans = 0;
  const sink: SpanExporter = {
    export(batch, done) {
      spans += batch.length;
      done({ code: 0 });
    },
    shutdown: () => Promise.resolve(),
  };
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(sink, { maxQueueSize: 100_000, maxExportBatchSize: 512 })] });
  const meterProvider = new MeterProvider();
  const answers = { json: openaiChatJson(REPLY_TEXT), events: openaiChatEvents(['Hi'], true) };
  const instances = {
    without: createSluice({ fetch: fakeProvider(answers).fetch }),
    with: createSluice({ fetch: fakeProvider(answers).fetch, use: [otel({ tracerProvider, meterProvider })] }),
  };
  const init = chatInit('gpt-4o-mini', false);
  try {
    const variants = (['without', 'with'] as const).map((key) => ({ key, fetch: instances[key].fetch }));
    const { series, checksum } = await timeCalls(variants, counts, async (variant) => {
      const response = await variant.fetch(ISOLATED_URL, init);
      return (await response.text()).length;
    });
    await Promise.all([instances.with.flush(), instances.without.flush()]);
    await tracerProvider.forceFlush();
    return { series, spans, checksum };
  } finally {
    await Promise.all([instances.without.close(), instances.with.close(), tracerProvider.shutdown(), meterProvider.shutdown()]);
  }
}

/**
 * The section and its target row.
 * @param result - the measurement
 */
export function renderOtel(result: OtelResult): { section: string; targetRow: string[] } {
  const added = result.series.with.wall.p50 - result.series.without.wall.p50;
  const deltas = roundDeltas(result.series.with, result.series.without);
  const table = markdownTable(
    ['zero config, fake upstream, non-streaming', 'p50', 'p99', 'added p50', '(per round)'],
    [
      ['without otel()', us(result.series.without.wall.p50), us(result.series.without.wall.p99), '—', '—'],
      ['with otel(), SDK batch span processor + meter provider', us(result.series.with.wall.p50), us(result.series.with.wall.p99), signedUs(added), `${signedUs(Math.min(...deltas), 0)} … ${signedUs(Math.max(...deltas), 0)}`],
    ],
  );
  return {
    section: `## OpenTelemetry\n\n${table}\n\n${result.spans} spans ended and exported through the batch processor.`,
    targetRow: ['added p50 with otel() (SDK batch processor)', signedUs(added), '≤ 15 µs', mark(added <= OTEL_TARGET_MS)],
  };
}
