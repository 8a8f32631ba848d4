/**
 * The ingest schema of a `CallRecord` (zod, built on first use). Fields a record needs to mean anything
 * (`id`, `startedAt`, `dialect`, `operation`, `outcome`, `latencyMs`) are required; the rest take the
 * value a record without them would have (`null`, `[]`, `false`), so records of older Sluice versions
 * are accepted. Keys this collector does not know are dropped, so a record cannot carry anything past
 * the schema into the store (headers, credentials, a newer version's fields).
 * @module
 */
import * as z from 'zod/mini';
import { readableIssues, schemaKeys } from '../config/issues.js';
import type { CallRecord } from '../events/record.js';

/** The longest record id accepted. */
export const MAX_ID_CHARS = 256;
const MAX_NAME_CHARS = 1024;

/** One problem of one record: the field's dotted path and what is wrong with it. */
export interface RecordIssue {
  /** `usage.inputTokens`, `attempts[0].status`, or `''` for the record itself. */
  field: string;
  message: string;
}

let schema: z.ZodMiniType<CallRecord> | undefined;

function build(): z.ZodMiniType<CallRecord> {
  const name = z.string().check(z.maxLength(MAX_NAME_CHARS));
  const optionalName = z._default(z.nullable(name), null);
  const count = z.nullable(z.number().check(z.minimum(0)));
  const millis = z.number().check(z.minimum(0));
  const nullableMillis = z.nullable(millis);
  const usage = z.object({
    inputTokens: z._default(count, null),
    outputTokens: z._default(count, null),
    cachedTokens: z._default(count, null),
    reasoningTokens: z._default(count, null),
    cacheWriteTokens: z._default(count, null),
    cacheWrite1hTokens: z.optional(count),
  });
  const attempt = z.object({
    provider: optionalName,
    model: optionalName,
    keyId: optionalName,
    status: z._default(z.nullable(z.int().check(z.minimum(0), z.maximum(999))), null),
    errorClass: optionalName,
    latencyMs: z._default(millis, 0),
    sentAfterMs: z._default(millis, 0),
  });
  const record = z.object({
    id: z.string().check(z.minLength(1), z.maxLength(MAX_ID_CHARS)),
    startedAt: z.number().check(z.minimum(0), z.maximum(8.64e15)),
    dialect: z.enum(['openai', 'anthropic', 'gemini', 'mcp']),
    // A model call's operation, or an MCP request's `mcp.<method>` (sluice/mcp).
    operation: z.union([z.enum(['chat', 'responses', 'embeddings', 'models', 'count_tokens']), z.string().check(z.regex(/^mcp\.[\w./-]{1,128}$/))]),
    requestedModel: optionalName,
    provider: optionalName,
    model: optionalName,
    status: z._default(z.nullable(z.int().check(z.minimum(0), z.maximum(999))), null),
    outcome: z.enum(['completed', 'failed', 'cancelled', 'errored']),
    streamed: z._default(z.boolean(), false),
    latencyMs: millis,
    ttftMs: z._default(nullableMillis, null),
    overheadMs: z._default(millis, 0),
    phases: z._default(z.object({ requestMs: z._default(millis, 0), upstreamMs: z._default(nullableMillis, null), responseMs: z._default(millis, 0) }), () => ({ requestMs: 0, upstreamMs: null, responseMs: 0 })),
    usage: z._default(usage, () => ({ inputTokens: null, outputTokens: null, cachedTokens: null, reasoningTokens: null, cacheWriteTokens: null })),
    usagePartial: z._default(z.boolean(), false),
    usageEstimated: z._default(z.boolean(), false),
    costUsd: z._default(z.nullable(z.number()), null),
    pricing: z._default(z.nullable(z.object({ tier: optionalName, window: optionalName, region: optionalName, since: optionalName })), null),
    user: optionalName,
    session: optionalName,
    tags: z._default(z.array(name).check(z.maxLength(256)), () => []),
    metadata: z._default(z.nullable(z.record(z.string(), z.unknown())), null),
    error: z._default(z.nullable(z.object({ class: name, message: z.string() })), null),
    attempts: z._default(z.array(attempt).check(z.maxLength(1000)), () => []),
    cache: z._default(z.nullable(z.object({ status: z.enum(['hit', 'miss', 'bypass']), namespace: name, savedUsd: z._default(z.nullable(z.number()), null) })), null),
    guard: z._default(z.array(z.object({ rule: name, action: z.enum(['redact', 'mask', 'block', 'log']), count: z.int().check(z.minimum(0)) })).check(z.maxLength(1000)), () => []),
    requestBody: z._default(z.nullable(z.string()), null),
    responseBody: z._default(z.nullable(z.string()), null),
    region: optionalName,
    zeroRetention: z._default(z.boolean(), false),
    mcp: z.optional(
      z.object({
        server: name,
        method: name,
        target: z._default(z.nullable(z.string().check(z.maxLength(MAX_ID_CHARS * 8))), null),
        requestId: z.union([z.string().check(z.maxLength(MAX_ID_CHARS)), z.number()]),
        sessionId: optionalName,
        transport: z.enum(['http', 'transport']),
        requestBytes: z._default(z.int().check(z.minimum(0)), 0),
        resultBytes: z._default(z.nullable(z.int().check(z.minimum(0))), null),
        errorCode: z._default(z.nullable(z.int()), null),
        toolError: z._default(z.boolean(), false),
      }),
    ),
  });
  return record as unknown as z.ZodMiniType<CallRecord>;
}

/**
 * Validates one ingested record.
 * @param input One element of the ingested `records` array.
 * @returns The record with defaults filled in and unknown keys dropped, or its issues.
 */
export function parseRecord(input: unknown): { ok: true; record: CallRecord } | { ok: false; issues: RecordIssue[] } {
  schema ??= build();
  const result = schema.safeParse(input);
  if (result.success) return { ok: true, record: result.data };
  const root = schema;
  const issues = readableIssues(result.error, { root: '', input, knownKeys: (path) => schemaKeys(root, path) });
  return { ok: false, issues: issues.map((issue) => ({ field: issue.path, message: issue.message })) };
}
