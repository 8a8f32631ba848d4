/**
 * Fixture tests per dialect pair: each case under `fixtures/<sdk-dialect>-to-<provider-format>/<case>/`
 * holds the SDK's request, the upstream request Sluice must send, a recorded upstream answer and what
 * the SDK must receive. This one test walks them all; the layout is in `README.md` next to it.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { createSluice, type ProviderConfig, type ProviderKind } from '../../src/index.js';
import { encodeEventStreamMessage } from '../../src/wire/bedrock/event-stream.js';

/** One Bedrock event-stream message, as the recordings in `test/fixtures/bedrock/` list them. */
interface EventStreamFixture {
  headers: Record<string, string>;
  payload: unknown;
}

/** One parsed SSE event: its `event:` name when it has one, its `data:` as JSON (or text, e.g. `[DONE]`). */
interface SseEvent {
  event?: string;
  data: unknown;
}

/** A `case.json`. Header expectations: a string must match, `null` must be absent. */
interface FixtureCase {
  description: string;
  /** Why Sluice differs from the documented expectation; the case then runs as `it.fails`. */
  knownDifference?: string;
  sdk: { url: string; headers?: Record<string, string>; body: unknown };
  provider: { kind: ProviderKind; model: string; name?: string };
  expectUpstream: { method?: string; path: string; headers?: Record<string, string | null>; body: unknown };
  upstreamResponse: {
    status: number;
    headers?: Record<string, string>;
    body?: unknown;
    /** Paths relative to the case directory. */
    sse?: string;
    ndjson?: string;
    /** Inline messages, or a path to a JSON file with `{ messages }`. */
    eventStream?: EventStreamFixture[] | string;
  };
  expectSdk: { status: number; headers?: Record<string, string | null>; body?: unknown; events?: SseEvent[] };
}

const ROOT = join(dirname(fileURLToPath(import.meta.url)), 'fixtures');
const PROVIDER_KEY = 'sk-provider-key';
/** Where each provider kind lives: the documented public endpoints (the fake fetch never leaves the process). */
const PROVIDERS: Readonly<Record<string, ProviderConfig>> = {
  openai: { kind: 'openai', baseURL: 'https://api.openai.com/v1' },
  anthropic: { kind: 'anthropic', baseURL: 'https://api.anthropic.com' },
  gemini: { kind: 'gemini', baseURL: 'https://generativelanguage.googleapis.com' },
  bedrock: { kind: 'bedrock', baseURL: 'https://bedrock-runtime.us-east-1.amazonaws.com', region: 'us-east-1' },
  ollama: { kind: 'ollama', baseURL: 'http://localhost:11434' },
};

/**
 * The one place where values Sluice must invent are normalised: wherever the expectation says
 * `"<invented>"` (response ids, `created`, `responseId`, tool-call ids for providers that send none,
 * request-id headers), any non-empty string or number in the actual value is accepted and replaced
 * by the marker, so presence and type are still checked. Content types are compared without parameters.
 */
const INVENTED = '<invented>';
function normalise(actual: unknown, expected: unknown): unknown {
  if (expected === INVENTED) return (typeof actual === 'string' && actual !== '') || typeof actual === 'number' ? INVENTED : actual;
  // Arrays (stream events above all) are matched by position; when an extra or missing event shifts
  // them, the nearest expected object stands in, so the diff shows the real difference, not every id.
  if (Array.isArray(expected) && Array.isArray(actual)) return actual.map((item, index) => normalise(item, nearestTemplate(expected, index, item)));
  if (isObject(expected) && isObject(actual)) {
    const out: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(actual)) out[key] = normalise(value, expected[key]);
    return out;
  }
  return actual;
}

function nearestTemplate(expected: unknown[], index: number, item: unknown): unknown {
  if (sameShape(item, expected[index])) return expected[index];
  for (let distance = 1; distance < expected.length; distance++) {
    for (const candidate of [expected[index - distance], expected[index + distance]]) if (sameShape(item, candidate)) return candidate;
  }
  return expected[index];
}

/** Whether two objects have the same keys, holding values of the same kind and equal primitives (an SSE event's name). */
function sameShape(actual: unknown, expected: unknown): boolean {
  if (!isObject(actual) || !isObject(expected)) return false;
  const keys = Object.keys(actual);
  return (
    keys.length === Object.keys(expected).length &&
    keys.every((key) => {
      const [a, b] = [actual[key], expected[key]];
      return kindOf(a) === kindOf(b) && (typeof a === 'object' || a === b || b === INVENTED);
    })
  );
}

function kindOf(value: unknown): string {
  return value === null ? 'null' : Array.isArray(value) ? 'array' : typeof value;
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** Reads SSE text into events (WHATWG framing: `\n`, `\r\n` or `\r` line ends; comments skipped). */
function parseSse(text: string): SseEvent[] {
  const events: SseEvent[] = [];
  for (const block of text.split(/\r\n\r\n|\n\n|\r\r/)) {
    let name: string | undefined;
    const data: string[] = [];
    for (const line of block.split(/\r\n|\n|\r/)) {
      if (line.startsWith('event:')) name = line.slice(6).trim();
      else if (line.startsWith('data:')) data.push(line.slice(line.startsWith('data: ') ? 6 : 5));
    }
    if (data.length === 0) continue;
    const joined = data.join('\n');
    let parsed: unknown = joined;
    try {
      parsed = JSON.parse(joined);
    } catch {
      // `[DONE]` and other non-JSON data stay text.
    }
    events.push(name === undefined ? { data: parsed } : { event: name, data: parsed });
  }
  return events;
}

/** Streams are handed on in pieces this small, so framing across reads (and split UTF-8 characters) is exercised. */
const PIECE_BYTES = 16;

function inPieces(bytes: Uint8Array): ReadableStream<Uint8Array> {
  let offset = 0;
  return new ReadableStream({
    pull(controller) {
      if (offset >= bytes.length) controller.close();
      else controller.enqueue(bytes.slice(offset, (offset += PIECE_BYTES)));
    },
  });
}

/** Builds the recorded upstream answer as a Response: JSON whole, streams in small pieces. */
function upstreamAnswer(fixture: FixtureCase, directory: string): Response {
  const recorded = fixture.upstreamResponse;
  const init = { status: recorded.status, headers: recorded.headers ?? {} };
  const file = recorded.sse ?? recorded.ndjson;
  if (file !== undefined) return new Response(inPieces(readFileSync(join(directory, file))), init);
  if (recorded.eventStream !== undefined) {
    const messages =
      typeof recorded.eventStream === 'string'
        ? (JSON.parse(readFileSync(join(directory, recorded.eventStream), 'utf8')) as { messages: EventStreamFixture[] }).messages
        : recorded.eventStream;
    const frames = messages.map((message) => encodeEventStreamMessage(message.headers, new TextEncoder().encode(JSON.stringify(message.payload))));
    return new Response(inPieces(Buffer.concat(frames)), init);
  }
  return new Response(JSON.stringify(recorded.body), init);
}

/** The listed headers of a request or response; a header expected `null` reads as `null` when absent. */
function pickHeaders(headers: Headers, expected: Record<string, string | null> | undefined): Record<string, string | null> | undefined {
  if (expected === undefined) return undefined;
  const out: Record<string, string | null> = {};
  for (const name of Object.keys(expected)) {
    const value = headers.get(name);
    out[name] = name === 'content-type' && value !== null ? value.split(';')[0]!.trim() : value;
  }
  return out;
}

/** What one case produced: the upstream request (or `null` when none was sent) and the SDK's answer, raw and read. */
interface Outcome {
  upstream: { method: string; path: string; headers: Headers; text: string } | null;
  sdk: { status: number; headers: Headers; text: string };
}

/** Sends the case's SDK request through Sluice, with a fake upstream fetch that records and answers. */
async function run(fixture: FixtureCase, directory: string): Promise<Outcome> {
  let upstream: Outcome['upstream'] = null;
  const fakeFetch = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const url = new URL(typeof input === 'string' ? input : input instanceof URL ? input.href : input.url);
    upstream = { method: init?.method ?? 'GET', path: url.pathname + url.search, headers: new Headers(init?.headers), text: typeof init?.body === 'string' ? init.body : '' };
    return upstreamAnswer(fixture, directory);
  };
  const name = fixture.provider.name ?? fixture.provider.kind;
  const sluice = createSluice({ providers: { [name]: { ...PROVIDERS[fixture.provider.kind], apiKey: PROVIDER_KEY } }, env: {}, fetch: fakeFetch });
  try {
    const response = await sluice.fetch(fixture.sdk.url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', ...fixture.sdk.headers },
      body: JSON.stringify(fixture.sdk.body),
    });
    return { upstream, sdk: { status: response.status, headers: response.headers, text: await response.text() } };
  } finally {
    await sluice.close();
  }
}

/** The outcome in the shape of the case's expectations (only the headers it lists; invented values normalised). */
function observed(fixture: FixtureCase, outcome: Outcome): unknown {
  const { upstream, sdk } = outcome;
  const expectedUpstream = fixture.expectUpstream;
  const expectedSdk = fixture.expectSdk;
  return {
    upstream:
      upstream === null
        ? null
        : {
            method: upstream.method,
            path: upstream.path,
            ...(expectedUpstream.headers === undefined ? {} : { headers: pickHeaders(upstream.headers, expectedUpstream.headers) }),
            body: normalise(upstream.text === '' ? null : JSON.parse(upstream.text), expectedUpstream.body),
          },
    sdk: {
      status: sdk.status,
      ...(expectedSdk.headers === undefined ? {} : { headers: normalise(pickHeaders(sdk.headers, expectedSdk.headers), expectedSdk.headers) }),
      ...(expectedSdk.events === undefined ? { body: normalise(JSON.parse(sdk.text), expectedSdk.body) } : { events: normalise(parseSse(sdk.text), expectedSdk.events) }),
    },
  };
}

/** Every `fixtures/<pair>/<case>/case.json`, in directory order. */
function cases(): Array<{ pair: string; name: string; directory: string; fixture: FixtureCase }> {
  const found: Array<{ pair: string; name: string; directory: string; fixture: FixtureCase }> = [];
  for (const pair of readdirSync(ROOT).sort()) {
    for (const name of readdirSync(join(ROOT, pair)).sort()) {
      const directory = join(ROOT, pair, name);
      const file = join(directory, 'case.json');
      if (existsSync(file)) found.push({ pair, name, directory, fixture: JSON.parse(readFileSync(file, 'utf8')) as FixtureCase });
    }
  }
  return found;
}

describe('dialect pairs', () => {
  for (const { pair, name, directory, fixture } of cases()) {
    // A known difference is a documented Sluice bug: the case fails today and must fail loudly once fixed.
    const test = fixture.knownDifference === undefined ? it : it.fails;
    test(`${pair}/${name}`, async () => {
      const outcome = await run(fixture, directory);
      const { method = 'POST', ...upstream } = fixture.expectUpstream;
      expect(observed(fixture, outcome)).toEqual({ upstream: { method, ...upstream }, sdk: fixture.expectSdk });
      const [sdkDialect, providerFormat] = pair.split('-to-');
      if (sdkDialect === providerFormat && fixture.upstreamResponse.body !== undefined) {
        // Same format: no re-serialisation beyond the model (the SDK's JSON in its own key order), and
        // the provider's answer reaches the SDK byte for byte.
        expect(outcome.upstream?.text).toBe(JSON.stringify(fixture.expectUpstream.body));
        expect(outcome.sdk.text).toBe(JSON.stringify(fixture.upstreamResponse.body));
      }
    });
  }
});
