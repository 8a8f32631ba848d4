/**
 * The plugins' cost (issue 5), every case against zero config to the same fake upstream `fetch`
 * (`createSluice({ fetch })`, no socket), interleaved in one run:
 * - a cache hit served from the memory store, through `sluice.fetch` (short and 2 KB prompts) and
 *   through the OpenAI SDK; every hit is checked (`x-sluice-cache: hit`, no upstream call);
 * - a cache miss + limits + PII filter on a 2 KB prompt holding two emails, unique per call so every
 *   call misses, and each of the three plugins alone to show where the time goes;
 * - over Redis at 127.0.0.1:6379 (skipped when it is down): a cache hit through `redisCacheStore` and a
 *   rate-limit check through `redisRateLimitStore`, reported against a raw ioredis `GET` round trip
 *   measured in the same rounds. The keys are deleted at the end.
 * @module
 */
import { randomUUID } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { Redis } from 'ioredis';
import OpenAI from 'openai';
import { createSluice, type Sluice } from 'sluice';
import { cache, limits, pii } from 'sluice/plugins';
import { redisCacheStore, redisRateLimitStore } from 'sluice/stores/redis';
import { roundDeltas, timeCalls, type CallSeries, type SampleCounts } from './lib/samples.js';
import { int, markdownTable, mark, signedUs, us } from './lib/table.js';
import { chatInit, fakeProvider, ISOLATED_URL, openaiChatEvents, openaiChatJson, REPLY_TEXT, type FakeProvider } from './lib/upstream.js';

/** Fixed counts of the plugins measurement. */
export interface PluginOptions {
  /** Memory cache hits through `sluice.fetch`. */
  memory: SampleCounts;
  /** Memory cache hits through the OpenAI SDK. */
  sdk: SampleCounts;
  /** Misses through pii + limits + cache, 2 KB prompts. */
  miss: SampleCounts;
  /** Redis: raw round trip, cache hit, rate-limit check. */
  redis: SampleCounts;
}

type HitKey = 'zero' | 'hit' | 'zero2k' | 'hit2k';
type SdkKey = 'zero' | 'hit';
type MissKey = 'zero' | 'pii' | 'limits' | 'cache' | 'all';
type RedisKey = 'raw' | 'zero' | 'cache' | 'rate';

/** What the Redis cases found, and how they were checked. */
export interface RedisFigures {
  series: Record<RedisKey, CallSeries>;
  /** Server-side `LRANGE` / `EVALSHA` calls during the run (other clients may add to them). */
  lrangeCalls: number;
  evalshaCalls: number;
  /** Calls each Sluice variant made, warm-up included. */
  callsPerVariant: number;
  /** `store:error` events (a failed store call falls back or steps aside, so it would skew the figures). */
  storeErrors: number;
  /** Keys deleted at the end. */
  keysDeleted: number;
}

/** What the plugins measurement found. */
export interface PluginResult {
  hit: Record<HitKey, CallSeries>;
  sdk: Record<SdkKey, CallSeries>;
  miss: Record<MissKey, CallSeries>;
  /** Placeholders the upstream saw in the last redacted prompt, e.g. `<EMAIL_1>`. */
  placeholders: string[];
  /** Calls (warm-up included) of each cached miss variant, every one of which reached the upstream (checked). */
  missUpstreamCalls: number;
  redis: RedisFigures | { skipped: string };
  checksum: number;
}

/** The targets (ms). */
export const PLUGIN_TARGETS = { cacheHitP50Ms: 0.05, missAddedP50Ms: 0.1 } as const;

const REDIS_HOST = '127.0.0.1';
const REDIS_PORT = 6379;
/** Upper bound on tries for an asynchronous cache write to land (5 ms apart). */
const WRITE_TRIES = 100;
const FAKE_BASE = 'http://127.0.0.1:9/v1';
const ID_MARK = '@@ID@@';
const EMAILS = ['alice.martin@example.com', 'bob.ng@example.org'] as const;

/** Sentences the 2 KB prompt repeats after its opening: plain prose, nothing a PII rule matches. */
const FILLER = [
  'They explain that the parcel left the warehouse on time but stayed at the regional depot for several days without any update.',
  'Summarise the situation in a short, polite answer, apologise for the delay, and say what the team will check next.',
  'Do not promise a refund before the carrier has confirmed where the parcel is, and keep the tone calm and factual.',
] as const;
/** The prompt's length with a typical id (`req12345`) spliced in. */
const PROMPT_CHARS = 2048;

/** The ~2 KB user prompt: two emails, an id that makes each call's request unique, then sentences, cut at 2,048 characters. */
function promptTemplate(): string {
  let text = `Support ticket ${ID_MARK}. The customer wrote to ${EMAILS[0]} about a delayed delivery and asked that ${EMAILS[1]} be copied on every reply.`;
  const limit = PROMPT_CHARS + ID_MARK.length - 'req12345'.length;
  for (let index = 0; text.length < limit; index++) text += ` ${FILLER[index % FILLER.length]!}`;
  return text.slice(0, limit);
}

/** A chat body whose user prompt is ~2 KB; `id` is spliced in without re-serialising. `promptChars`: with `req12345`. */
function bodyMaker(): { body: (id: string) => string; promptChars: number } {
  const prompt = promptTemplate();
  const json = JSON.stringify({
    model: 'gpt-4o-mini',
    messages: [
      { role: 'system', content: 'You are a support assistant. Answer in three sentences.' },
      { role: 'user', content: prompt },
    ],
  });
  const [head, tail] = json.split(ID_MARK) as [string, string];
  return { body: (id) => head + id + tail, promptChars: prompt.length - ID_MARK.length + 'req12345'.length };
}

function postInit(body: string): RequestInit {
  return { method: 'POST', headers: { 'content-type': 'application/json', authorization: 'Bearer k' }, body };
}

function upstream(): FakeProvider {
  return fakeProvider({ json: openaiChatJson(REPLY_TEXT), events: openaiChatEvents([], false) });
}

/** Options shared by every instance: the fake upstream, no keys from the environment. */
function base(fake: FakeProvider): { fetch: typeof fetch; env: Record<string, string | undefined> } {
  return { fetch: fake.fetch, env: {} };
}

/**
 * One call through `fetchImpl`, body read as the SDK reads it; throws unless the answer is a 200 whose
 * `x-sluice-cache` header is `expectCache` (`null`: no cache on the path).
 */
async function call(fetchImpl: typeof fetch, init: RequestInit, expectCache: string | null, label: string): Promise<number> {
  const response = await fetchImpl(ISOLATED_URL, init);
  const cacheHeader = response.headers.get('x-sluice-cache');
  const text = await response.text();
  if (response.status !== 200 || cacheHeader !== expectCache) {
    throw new Error(`${label}: status ${response.status}, x-sluice-cache ${cacheHeader ?? 'absent'} (expected ${expectCache ?? 'absent'}): ${text.slice(0, 200)}`);
  }
  return text.length;
}

/** Calls until the answer is served from the cache: the write after a miss is not awaited by the call. */
async function untilHit(fetchImpl: typeof fetch, init: RequestInit, label: string): Promise<void> {
  for (let attempt = 0; attempt < WRITE_TRIES; attempt++) {
    const response = await fetchImpl(ISOLATED_URL, init);
    await response.text();
    if (response.headers.get('x-sluice-cache') === 'hit') return;
    await sleep(5);
  }
  throw new Error(`${label}: no cache hit after ${WRITE_TRIES} calls`);
}

function sdkClient(sluice: Sluice): OpenAI {
  // maxRetries 0: a failure must surface, not be retried into the timings.
  return new OpenAI({ baseURL: FAKE_BASE, apiKey: 'k', maxRetries: 0, fetch: sluice.fetch });
}

/** Memory cache hits vs zero config, through `sluice.fetch` and through the SDK. */
async function memoryHits(options: PluginOptions): Promise<Pick<PluginResult, 'hit' | 'sdk' | 'checksum'>> {
  const zeroUpstream = upstream();
  const hitUpstream = upstream();
  const zero = createSluice(base(zeroUpstream));
  const cached = createSluice({ ...base(hitUpstream), use: [cache({ ttl: '10m' })] });
  const long = bodyMaker().body('fixed');
  try {
    const short = chatInit('gpt-4o-mini', false);
    const variants = [
      { key: 'zero' as const, fetch: zero.fetch, init: short, expect: null },
      { key: 'hit' as const, fetch: cached.fetch, init: short, expect: 'hit' },
      { key: 'zero2k' as const, fetch: zero.fetch, init: postInit(long), expect: null },
      { key: 'hit2k' as const, fetch: cached.fetch, init: postInit(long), expect: 'hit' },
    ];
    for (const variant of variants) if (variant.expect === 'hit') await untilHit(variant.fetch, variant.init, variant.key);
    const upstreamBefore = hitUpstream.calls;
    const calls = await timeCalls(variants, options.memory, (variant) => call(variant.fetch, variant.init, variant.expect, variant.key));
    // Every timed call of the cached instance was served without reaching the upstream.
    if (hitUpstream.calls !== upstreamBefore) throw new Error(`cache hits reached the upstream ${hitUpstream.calls - upstreamBefore} times`);

    const messages: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hello from the SDK' }];
    const clients = [
      { key: 'zero' as const, client: sdkClient(zero) },
      { key: 'hit' as const, client: sdkClient(cached) },
    ];
    const sdkCall = async (variant: (typeof clients)[number]): Promise<number> => {
      const completion = await variant.client.chat.completions.create({ model: 'gpt-4o-mini', messages });
      const length = completion.choices[0]?.message.content?.length ?? 0;
      if (length !== REPLY_TEXT.length) throw new Error(`sdk ${variant.key}: reply of ${length} characters`);
      return length;
    };
    // The SDK's first call stores its answer; wait for the write before timing.
    await sdkCall(clients[1]!);
    for (let attempt = 0; attempt < WRITE_TRIES; attempt++) {
      const { response } = await clients[1]!.client.chat.completions.create({ model: 'gpt-4o-mini', messages }).withResponse();
      if (response.headers.get('x-sluice-cache') === 'hit') break;
      if (attempt === WRITE_TRIES - 1) throw new Error('sdk: no cache hit');
      await sleep(5);
    }
    const sdkUpstreamBefore = hitUpstream.calls;
    const sdk = await timeCalls(clients, options.sdk, sdkCall);
    if (hitUpstream.calls !== sdkUpstreamBefore) throw new Error(`SDK cache hits reached the upstream ${hitUpstream.calls - sdkUpstreamBefore} times`);
    return { hit: calls.series, sdk: sdk.series, checksum: calls.checksum + sdk.checksum };
  } finally {
    await Promise.all([zero.close(), cached.close()]);
  }
}

/** Misses on unique 2 KB prompts: zero config, each plugin alone, all three. */
async function misses(options: PluginOptions): Promise<Pick<PluginResult, 'miss' | 'placeholders' | 'missUpstreamCalls' | 'checksum'>> {
  const { body } = bodyMaker();
  let inspect = false;
  let lastRedacted = '';
  const fakes = { zero: upstream(), pii: upstream(), limits: upstream(), cache: upstream() };
  // The full pipeline's upstream keeps the last body it saw, only when asked (not while timing).
  const allUpstream = fakeProvider({ json: openaiChatJson(REPLY_TEXT), events: [] }, (_url, sent) => {
    if (inspect) lastRedacted = sent;
    return null;
  });
  const rate = () => limits({ rate: [{ scope: 'global', rpm: 1e9 }], concurrency: { global: 1000 } });
  const instances = {
    zero: createSluice(base(fakes.zero)),
    pii: createSluice({ ...base(fakes.pii), use: [pii({ mode: 'redact' })] }),
    limits: createSluice({ ...base(fakes.limits), use: [rate()] }),
    cache: createSluice({ ...base(fakes.cache), use: [cache({ ttl: '10m' })] }),
    all: createSluice({ ...base(allUpstream), use: [pii({ mode: 'redact' }), rate(), cache({ ttl: '10m' })] }),
  };
  try {
    const variants = (['zero', 'pii', 'limits', 'cache', 'all'] as const).map((key) => ({
      key,
      fetch: instances[key].fetch,
      expect: key === 'cache' || key === 'all' ? 'miss' : null,
    }));
    // One sequence for every variant: each call's prompt is new to every cache.
    let sequence = 0;
    const once = (variant: (typeof variants)[number]): Promise<number> => call(variant.fetch, postInit(body(`req${++sequence}`)), variant.expect, variant.key);

    inspect = true;
    await once(variants[4]!);
    inspect = false;
    if (EMAILS.some((email) => lastRedacted.includes(email)) || lastRedacted.length === 0) throw new Error('pii(): an email reached the upstream');
    const placeholders = [...new Set(lastRedacted.match(/<[A-Z_]+_\d+>/g) ?? [])];
    if (placeholders.join() !== '<EMAIL_1>,<EMAIL_2>') throw new Error(`pii(): unexpected placeholders ${placeholders.join(', ')}`);

    const before = { cache: fakes.cache.calls, all: allUpstream.calls };
    const { series, checksum } = await timeCalls(variants, options.miss, once);
    const timed = options.miss.rounds * options.miss.callsPerRound + options.miss.warmupCalls;
    if (fakes.cache.calls - before.cache !== timed || allUpstream.calls - before.all !== timed) {
      throw new Error(`misses: ${fakes.cache.calls - before.cache} and ${allUpstream.calls - before.all} upstream calls for ${timed} calls`);
    }
    return { miss: series, placeholders, missUpstreamCalls: timed, checksum };
  } finally {
    await Promise.all(Object.values(instances).map((instance) => instance.close()));
  }
}

function commandCalls(info: string, command: string): number {
  const match = new RegExp(`^cmdstat_${command}:calls=(\\d+)`, 'm').exec(info);
  return match === null ? 0 : Number(match[1]);
}

/** Connects with no retry and no offline queue; a string says why Redis is not usable. */
async function connectRedis(): Promise<Redis | string> {
  const redis = new Redis({
    host: REDIS_HOST,
    port: REDIS_PORT,
    lazyConnect: true,
    enableOfflineQueue: false,
    maxRetriesPerRequest: 0,
    connectTimeout: 1000,
    retryStrategy: () => null,
  });
  let lastError = '';
  // Connection errors also reject connect() below; the listener keeps them from being unhandled.
  redis.on('error', (error: Error) => void (lastError = error.message));
  try {
    await redis.connect();
    await redis.ping();
    return redis;
  } catch (error) {
    redis.disconnect();
    return `Redis not reachable at ${REDIS_HOST}:${REDIS_PORT} (${lastError || (error instanceof Error ? error.message : String(error))})`;
  }
}

/** Deletes every key under `prefix` (SCAN, bounded). */
async function deleteKeys(redis: Redis, prefix: string): Promise<number> {
  let cursor = '0';
  let deleted = 0;
  for (let page = 0; page < 10_000; page++) {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${prefix}*`, 'COUNT', 1000);
    if (keys.length > 0) deleted += await redis.del(...keys);
    cursor = next;
    if (cursor === '0') break;
  }
  return deleted;
}

/** Raw GET, Redis cache hit and Redis rate-limit check, interleaved with zero config. */
async function overRedis(options: PluginOptions): Promise<{ figures: RedisFigures | { skipped: string }; checksum: number }> {
  const redis = await connectRedis();
  if (typeof redis === 'string') return { figures: { skipped: redis }, checksum: 0 };
  const prefix = `bench:${randomUUID()}:`;
  const rawKey = `${prefix}raw`;
  let storeErrors = 0;
  const zero = createSluice(base(upstream()));
  const cached = createSluice({ ...base(upstream()), use: [cache({ ttl: '10m', store: redisCacheStore(redis, { prefix: `${prefix}cache:` }) })] });
  const limited = createSluice({ ...base(upstream()), use: [limits({ store: redisRateLimitStore(redis, { prefix: `${prefix}rl:` }), rate: [{ scope: 'global', rpm: 1e9 }] })] });
  for (const instance of [cached, limited]) instance.on('store:error', () => void storeErrors++);
  let keysDeleted = 0;
  try {
    await redis.set(rawKey, 'sluice-bench-value', 'PX', 600_000);
    const init = chatInit('gpt-4o-mini', false);
    await untilHit(cached.fetch, init, 'redis cache');
    const variants = [
      { key: 'raw' as const, fetch: null, expect: null },
      { key: 'zero' as const, fetch: zero.fetch, expect: null },
      { key: 'cache' as const, fetch: cached.fetch, expect: 'hit' },
      { key: 'rate' as const, fetch: limited.fetch, expect: null },
    ];
    const before = await redis.info('commandstats');
    const { series, checksum } = await timeCalls(variants, options.redis, async (variant) => {
      if (variant.fetch === null) return (await redis.get(rawKey))?.length ?? 0;
      return call(variant.fetch, init, variant.expect, `redis ${variant.key}`);
    });
    const after = await redis.info('commandstats');
    const callsPerVariant = options.redis.rounds * options.redis.callsPerRound + options.redis.warmupCalls;
    const lrangeCalls = commandCalls(after, 'lrange') - commandCalls(before, 'lrange');
    const evalshaCalls = commandCalls(after, 'evalsha') - commandCalls(before, 'evalsha');
    // Each hit read Redis and each check ran the script there (other clients can only add to the counts).
    if (lrangeCalls < callsPerVariant || evalshaCalls < callsPerVariant || storeErrors > 0) {
      throw new Error(`redis: ${lrangeCalls} LRANGE and ${evalshaCalls} EVALSHA for ${callsPerVariant} calls each, ${storeErrors} store errors`);
    }
    if ((await redis.exists(`${prefix}rl:0:rpm:global`)) !== 1) throw new Error('redis: the rate-limit bucket is not in Redis');
    keysDeleted = await deleteKeys(redis, prefix);
    return { figures: { series, lrangeCalls, evalshaCalls, callsPerVariant, storeErrors, keysDeleted }, checksum };
  } finally {
    await Promise.all([zero.close(), cached.close(), limited.close()]);
    if (keysDeleted === 0) await deleteKeys(redis, prefix).catch(() => 0);
    await redis.quit().catch(() => redis.disconnect());
  }
}

/**
 * Runs the plugins measurement: memory hits, misses through three plugins, then Redis.
 * @param options - fixed counts
 * @returns the series of every variant and the checks' tallies
 */
export async function measurePlugins(options: PluginOptions): Promise<PluginResult> {
  const hits = await memoryHits(options);
  const missed = await misses(options);
  const redis = await overRedis(options);
  return {
    hit: hits.hit,
    sdk: hits.sdk,
    miss: missed.miss,
    placeholders: missed.placeholders,
    missUpstreamCalls: missed.missUpstreamCalls,
    redis: redis.figures,
    checksum: hits.checksum + missed.checksum + redis.checksum,
  };
}

function deltaRange(deltas: readonly number[]): string {
  return `${signedUs(Math.min(...deltas), 1)} … ${signedUs(Math.max(...deltas), 1)}`;
}

function ratio(value: number, unit: number): string {
  return `${(value / unit).toFixed(2)}×`;
}

/**
 * Rows for the targets table: the memory hit and the miss are judged on the isolated figures; the Redis
 * figures are reported against the raw round trip of the same run.
 * @param result - what {@link measurePlugins} found
 * @returns table rows
 */
export function pluginTargetRows(result: PluginResult): string[][] {
  const { hit, sdk, miss } = result;
  const missAdded = { p50: miss.all.wall.p50 - miss.zero.wall.p50, p99: miss.all.wall.p99 - miss.zero.wall.p99 };
  const rows = [
    ['cache hit served, memory store, p50, isolated (sluice.fetch, fake upstream)', us(hit.hit.wall.p50), '≤ 50 µs', mark(hit.hit.wall.p50 <= PLUGIN_TARGETS.cacheHitP50Ms)],
    ['cache hit served, memory store, 2 KB prompt, p50, isolated', us(hit.hit2k.wall.p50), '≤ 50 µs', mark(hit.hit2k.wall.p50 <= PLUGIN_TARGETS.cacheHitP50Ms)],
    ['cache hit through the OpenAI SDK, p50', us(sdk.hit.wall.p50), `not judged: SDK + zero config ${us(sdk.zero.wall.p50)}`, '—'],
    [
      'cache miss + limits + PII, 2 KB prompt, added p50 over zero config, isolated',
      signedUs(missAdded.p50),
      '≤ 100 µs',
      mark(missAdded.p50 <= PLUGIN_TARGETS.missAddedP50Ms),
    ],
    ['cache miss + limits + PII, 2 KB prompt, added p99, isolated', signedUs(missAdded.p99), 'not judged', '—'],
  ];
  if ('skipped' in result.redis) {
    rows.push(['Redis cache hit and rate-limit check', 'skipped', result.redis.skipped, '—']);
  } else {
    const { raw, cache: redisHit, rate } = result.redis.series;
    const reported = `reported: raw Redis GET p50 ${us(raw.wall.p50)}`;
    rows.push(
      ['Redis cache hit p50, isolated upstream', `${us(redisHit.wall.p50)} (${ratio(redisHit.wall.p50, raw.wall.p50)} raw)`, reported, '—'],
      ['Redis rate-limit check p50, isolated upstream', `${us(rate.wall.p50)} (${ratio(rate.wall.p50, raw.wall.p50)} raw)`, reported, '—'],
    );
  }
  return rows;
}

/**
 * The plugins section of the results: tables and method.
 * @param result - what {@link measurePlugins} found
 * @param options - the counts it ran with
 * @returns Markdown
 */
export function renderPlugins(result: PluginResult, options: PluginOptions): string {
  const header = ['p50', 'p99', 'mean', 'vs zero config p50', '(per round)', 'vs zero config p99'];
  const row = (label: string, series: CallSeries, baseline: CallSeries | null): string[] => [
    label,
    us(series.wall.p50),
    us(series.wall.p99),
    us(series.wall.mean),
    baseline === null ? '—' : signedUs(series.wall.p50 - baseline.wall.p50),
    baseline === null ? '—' : deltaRange(roundDeltas(series, baseline)),
    baseline === null ? '—' : signedUs(series.wall.p99 - baseline.wall.p99),
  ];
  const { hit, sdk, miss } = result;
  const promptChars = bodyMaker().promptChars;
  const hitTable = markdownTable(
    ['memory cache hit, `sluice.fetch`, fake upstream', ...header],
    [
      row('zero config, short prompt', hit.zero, null),
      row('`cache()` hit, short prompt', hit.hit, hit.zero),
      row(`zero config, ${int(promptChars)}-character prompt`, hit.zero2k, null),
      row(`\`cache()\` hit, ${int(promptChars)}-character prompt`, hit.hit2k, hit.zero2k),
    ],
  );
  const sdkTable = markdownTable(['OpenAI SDK → Sluice → fake upstream', ...header], [row('zero config', sdk.zero, null), row('`cache()` hit', sdk.hit, sdk.zero)]);
  const missTable = markdownTable(
    [`miss, unique ${int(promptChars)}-character prompt, fake upstream`, ...header],
    [
      row('zero config', miss.zero, null),
      row("`pii({ mode: 'redact' })` alone", miss.pii, miss.zero),
      row('`limits({ rate, concurrency })` alone', miss.limits, miss.zero),
      row('`cache()` alone (miss, answer stored)', miss.cache, miss.zero),
      row('`pii()`, `limits()`, `cache()`', miss.all, miss.zero),
    ],
  );
  const parts = [hitTable, sdkTable, missTable];
  const method = [
    `- Every Sluice instance has its own fake upstream \`fetch\` (\`createSluice({ fetch, env: {} })\`) answering a fixed Chat Completions body of ${REPLY_TEXT.length} characters of content; calls go through \`sluice.fetch\` with a prepared request and read the body with \`text()\`, or through the OpenAI SDK (maxRetries 0). Each call checks the status and \`x-sluice-cache\` (\`hit\`, \`miss\`, or absent without the cache); the cached instance's upstream got no call while hits were timed (checked).`,
    `- Memory hits: ${options.memory.rounds} x ${int(options.memory.callsPerRound)} calls per variant after ${int(options.memory.warmupCalls)} warm-up calls; SDK: ${options.sdk.rounds} x ${int(options.sdk.callsPerRound)} after ${int(options.sdk.warmupCalls)}. \`cache({ ttl: '10m' })\`, memory store (its default).`,
    `- Misses: every call sends a new prompt (a ticket id spliced into a ${int(promptChars)}-character user message with two emails, plus a short system message), so every cache misses and stores the answer (the memory store keeps 1,000 keys); ${options.miss.rounds} x ${int(options.miss.callsPerRound)} calls per variant after ${int(options.miss.warmupCalls)}. \`limits({ rate: [{ scope: 'global', rpm: 1e9 }], concurrency: { global: 1000 } })\`, in-process buckets. The redacted body reached the upstream with ${result.placeholders.join(' and ')} in place of the emails (checked); all ${int(result.missUpstreamCalls)} calls of each cached variant (warm-up included) reached the upstream (checked).`,
  ];
  if ('skipped' in result.redis) {
    parts.push(`Redis: skipped, ${result.redis.skipped}.`);
  } else {
    const figures = result.redis;
    const { raw, zero } = figures.series;
    const redisRow = (label: string, series: CallSeries, isSluice: boolean): string[] => [
      label,
      us(series.wall.p50),
      us(series.wall.p99),
      us(series.wall.mean),
      ratio(series.wall.p50, raw.wall.p50),
      ratio(series.wall.p99, raw.wall.p99),
      isSluice ? signedUs(series.wall.p50 - raw.wall.p50 - zero.wall.p50) : '—',
    ];
    parts.push(
      markdownTable(
        [`Redis at ${REDIS_HOST}:${REDIS_PORT}, fake upstream`, 'p50', 'p99', 'mean', 'p50 in raw round trips', 'p99 in raw round trips', 'p50 − (raw + zero config)'],
        [
          redisRow('raw round trip (ioredis `GET` of an 18-byte value)', raw, false),
          redisRow('zero config, no Redis (for scale)', zero, false),
          redisRow('`cache({ store: redisCacheStore(client) })` hit', figures.series.cache, true),
          redisRow("`limits({ store: redisRateLimitStore(client), rate: [{ scope: 'global', rpm: 1e9 }] })`", figures.series.rate, true),
        ],
      ),
    );
    method.push(
      `- Redis: one ioredis client (no offline queue, no retries) shared by the raw \`GET\` and both stores, keys under a random \`bench:<uuid>:\` prefix (${int(figures.keysDeleted)} deleted at the end); ${options.redis.rounds} x ${int(options.redis.callsPerRound)} calls per variant after ${int(options.redis.warmupCalls)}. A hit reads the bucket with \`LRANGE\`, a check runs the token-bucket Lua script with \`EVALSHA\`: the server counted ${int(figures.lrangeCalls)} \`LRANGE\` and ${int(figures.evalshaCalls)} \`EVALSHA\` for ${int(figures.callsPerVariant)} calls of each (other clients of this Redis may add to them), and ${figures.storeErrors} \`store:error\` events. The last column is what Sluice adds beyond one round trip and its zero-config path.`,
    );
  }
  return `## Plugins: cache, limits, PII filter\n\n${parts.join('\n\n')}\n\n${method.join('\n')}`;
}
