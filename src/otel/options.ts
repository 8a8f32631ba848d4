/**
 * The options of `otel()`: public types, their zod/mini schema and their resolution.
 * @module
 */
import * as z from 'zod/mini';
import type { MeterProvider, TracerProvider } from '@opentelemetry/api';
import { SluiceConfigError } from '../core/errors.js';
import { readableIssues, schemaKeys } from '../config/issues.js';

/** Options of {@link otel}. */
export interface OtelOptions {
  /**
   * Where spans go. @default the global provider (`trace.getTracerProvider()`), read at each call so an
   * SDK registered after `createSluice` is used
   */
  tracerProvider?: TracerProvider;
  /** Where metrics go. @default the global provider (`metrics.getMeterProvider()`), read at each call */
  meterProvider?: MeterProvider;
  /** Whether calls become spans. @default true */
  spans?: boolean;
  /** Whether calls feed the GenAI metrics and the cost counter. @default true */
  metrics?: boolean;
  /**
   * Message content on spans (`gen_ai.system_instructions`, `gen_ai.input.messages`,
   * `gen_ai.output.messages`), as the conventions' opt-in content capture. It is what went upstream,
   * so text the PII filter redacted stays redacted. `true` keeps up to 10,000 characters of text per
   * attribute; `{ maxChars }` sets the cut. @default false
   */
  captureContent?: boolean | { maxChars: number };
  /**
   * Sends the active trace context upstream (`traceparent`, `tracestate` through the registered
   * propagator), for providers and self-hosted models that read it. @default false
   */
  propagate?: boolean;
}

/** {@link OtelOptions} with defaults filled in. */
export interface ResolvedOtelOptions {
  tracerProvider: TracerProvider | null;
  meterProvider: MeterProvider | null;
  spans: boolean;
  metrics: boolean;
  /** The most characters of message text per attribute; `null`: no content. */
  contentMaxChars: number | null;
  propagate: boolean;
}

const DEFAULT_CONTENT_CHARS = 10_000;

let schema: z.ZodMiniType | undefined;
function otelSchema(): z.ZodMiniType {
  const provider = z.custom<object>((value) => typeof value === 'object' && value !== null, { message: 'expected an OpenTelemetry provider object' });
  return z.strictObject({
    tracerProvider: z.optional(provider),
    meterProvider: z.optional(provider),
    spans: z.optional(z.boolean()),
    metrics: z.optional(z.boolean()),
    captureContent: z.optional(z.union([z.boolean(), z.strictObject({ maxChars: z.number().check(z.int(), z.positive()) })])),
    propagate: z.optional(z.boolean()),
  });
}

/**
 * Validates and resolves `otel()`'s options.
 * @param options What the user passed.
 * @returns The resolved options.
 * @throws {SluiceConfigError} listing every problem with its path.
 */
export function resolveOtelOptions(options: unknown): ResolvedOtelOptions {
  const parsed = (schema ??= otelSchema()).safeParse(options ?? {});
  if (!parsed.success) throw new SluiceConfigError(readableIssues(parsed.error, { root: 'otel()', input: options, knownKeys: (path) => schemaKeys(schema!, path) }));
  const value = parsed.data as OtelOptions;
  const capture = value.captureContent;
  return {
    tracerProvider: value.tracerProvider ?? null,
    meterProvider: value.meterProvider ?? null,
    spans: value.spans ?? true,
    metrics: value.metrics ?? true,
    contentMaxChars: capture === undefined || capture === false ? null : capture === true ? DEFAULT_CONTENT_CHARS : capture.maxChars,
    propagate: value.propagate ?? false,
  };
}
