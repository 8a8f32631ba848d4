/**
 * Routing's cost: a router of two weighted targets, one of which fails 10 % of its calls (HTTP 503;
 * the router falls back to the other target at once, `retries: 0`), against a single-target alias,
 * interleaved in one run.
 * - Over the network: the OpenAI SDK (maxRetries 0) through Sluice to the mock provider, which answers
 *   the failing target's model with a scripted 503 for one call in 20 (about one in ten of that target's
 *   calls). Every SDK-visible error is counted: there must be none.
 * - Isolated: a fake upstream `fetch` that fails every tenth call to the failing target, read through
 *   `sluice.fetch` with no SDK and no socket; a healthy router (same two targets, no failures) shows
 *   what the fallbacks add on top of routing.
 * @module
 */
import OpenAI from 'openai';
import { createSluice, type SluiceConfig } from 'sluice';
import { createMockProvider } from 'sluice/testing';
import { roundDeltas, timeCalls, type CallSeries, type SampleCounts } from './lib/samples.js';
import { int, markdownTable, mark, signedUs, us } from './lib/table.js';
import { chatInit, fakeProvider, openaiChatJson, openaiChatEvents, readCall, REPLY_TEXT } from './lib/upstream.js';

/** Fixed counts of the routing measurement. */
export interface RoutedOptions {
  network: SampleCounts;
  isolated: SampleCounts;
}

type NetKey = 'alias' | 'routed';
type IsoKey = 'alias' | 'healthy' | 'routed';

/** How the failing target and the fallbacks behaved. */
export interface FailureTally {
  /** Calls made by the caller (SDK calls or `sluice.fetch` calls) to the router. */
  calls: number;
  /** Upstream requests to the failing target. */
  failingTargetRequests: number;
  /** Of those, answered with a 503. */
  failures: number;
  /** Errors the caller saw (SDK exceptions, or non-200 statuses when isolated): must be 0. */
  callerErrors: number;
}

/** What the routing measurement found. */
export interface RoutedResult {
  network: Record<NetKey, CallSeries>;
  networkTally: FailureTally;
  /** SDK-visible errors of the alias variant (must be 0 too). */
  networkAliasErrors: number;
  isolated: Record<IsoKey, CallSeries>;
  isolatedTally: FailureTally;
  checksum: number;
}

/** The target (ms). */
export const ROUTED_TARGETS = { addedP50Ms: 0.01 } as const;

const MESSAGES: OpenAI.Chat.ChatCompletionMessageParam[] = [{ role: 'user', content: 'Hello' }];
/** The failing target's model: how the mock's scripted errors find it. */
const FAILING_MODEL = 'gpt-4.1';
/** Script one 503 for the failing target every this many calls: half the calls go to it, so ~10 % of its calls fail. */
const SCRIPT_EVERY = 20;

function routerConfig(a: string, b: string): SluiceConfig {
  return {
    providers: { a: { kind: 'openai', baseURL: a, apiKey: 'k' }, b: { kind: 'openai', baseURL: b, apiKey: 'k' } },
    models: {
      mix: {
        strategy: 'weighted',
        targets: [
          { target: 'a/gpt-4o-mini', weight: 1 },
          { target: `b/${FAILING_MODEL}`, weight: 1 },
        ],
        retries: 0,
      },
    },
    env: {},
  };
}

function aliasConfig(a: string): SluiceConfig {
  return { providers: { a: { kind: 'openai', baseURL: a, apiKey: 'k' } }, models: { one: { target: 'a/gpt-4o-mini' } }, env: {} };
}

/** SDK + mock. */
async function overNetwork(counts: SampleCounts): Promise<Pick<RoutedResult, 'network' | 'networkTally' | 'networkAliasErrors' | 'checksum'>> {
  const mock = await createMockProvider();
  const alias = createSluice(aliasConfig(mock.baseURL));
  const routed = createSluice(routerConfig(mock.baseURL, mock.baseURL));
  const client = (fetch: typeof globalThis.fetch) => new OpenAI({ baseURL: mock.baseURL, apiKey: 'k', maxRetries: 0, fetch });
  const tally: FailureTally = { calls: 0, failingTargetRequests: 0, failures: 0, callerErrors: 0 };
  let aliasErrors = 0;
  try {
    const variants = [
      { key: 'alias' as const, client: client(alias.fetch), model: 'one' },
      { key: 'routed' as const, client: client(routed.fetch), model: 'mix' },
    ];
    const call = async (variant: (typeof variants)[number], index: number): Promise<number> => {
      if (variant.key === 'routed') {
        tally.calls++;
        if (index % SCRIPT_EVERY === 0) mock.script({ kind: 'error', status: 503, match: { model: FAILING_MODEL } });
      }
      try {
        const completion = await variant.client.chat.completions.create({ model: variant.model, messages: MESSAGES });
        return completion.choices[0]?.message.content?.length ?? 0;
      } catch {
        if (variant.key === 'routed') tally.callerErrors++;
        else aliasErrors++;
        return 0;
      }
    };
    // Count what the failing target saw, then clear the log and any error not yet consumed.
    const afterSample = (variant: (typeof variants)[number]): void => {
      if (variant.key === 'routed') {
        for (const request of mock.requests) {
          const model = (request.body as { model?: unknown } | undefined)?.model;
          if (model !== FAILING_MODEL) continue;
          tally.failingTargetRequests++;
          if (request.step?.kind === 'error') tally.failures++;
        }
      }
      mock.reset();
    };
    const { series, checksum } = await timeCalls(variants, counts, call, afterSample);
    return { network: series, networkTally: tally, networkAliasErrors: aliasErrors, checksum };
  } finally {
    await Promise.all([alias.close(), routed.close()]);
    await mock.close();
  }
}

/** Fake upstream: a = 127.0.0.1:9, b = 127.0.0.1:10 (never reached). */
async function isolated(counts: SampleCounts): Promise<Pick<RoutedResult, 'isolated' | 'isolatedTally' | 'checksum'>> {
  const answers = { json: openaiChatJson(REPLY_TEXT), events: openaiChatEvents([], false) };
  const a = 'http://127.0.0.1:9/v1';
  const b = 'http://127.0.0.1:10/v1';
  const tally: FailureTally = { calls: 0, failingTargetRequests: 0, failures: 0, callerErrors: 0 };
  const failing = fakeProvider(answers, (url) => {
    if (!url.startsWith(b)) return null;
    tally.failingTargetRequests++;
    if (tally.failingTargetRequests % 10 !== 0) return null;
    tally.failures++;
    return 503;
  });
  const healthyUpstream = fakeProvider(answers);
  const alias = createSluice({ ...aliasConfig(a), fetch: healthyUpstream.fetch });
  const healthy = createSluice({ ...routerConfig(a, b), fetch: healthyUpstream.fetch });
  const routed = createSluice({ ...routerConfig(a, b), fetch: failing.fetch });
  try {
    const variants = [
      { key: 'alias' as const, fetch: alias.fetch, init: chatInit('one', false) },
      { key: 'healthy' as const, fetch: healthy.fetch, init: chatInit('mix', false) },
      { key: 'routed' as const, fetch: routed.fetch, init: chatInit('mix', false) },
    ];
    const call = async (variant: (typeof variants)[number]): Promise<number> => {
      const sample = await readCall(variant.fetch, variant.init);
      if (variant.key === 'routed') tally.calls++;
      if (sample.status !== 200) {
        if (variant.key === 'routed') tally.callerErrors++;
        else throw new Error(`${variant.key}: status ${sample.status}`);
      }
      return sample.bytes;
    };
    const { series, checksum } = await timeCalls(variants, counts, call);
    return { isolated: series, isolatedTally: tally, checksum };
  } finally {
    await Promise.all([alias.close(), healthy.close(), routed.close()]);
  }
}

/**
 * Runs the routing measurement: over the network, then isolated.
 * @param options - fixed counts
 * @returns the series and the failure tallies
 */
export async function measureRouted(options: RoutedOptions): Promise<RoutedResult> {
  const network = await overNetwork(options.network);
  const alone = await isolated(options.isolated);
  return { ...network, ...alone, checksum: network.checksum + alone.checksum };
}

/** Rows for the targets table; judged on the isolated figure (loopback noise is far above 10 µs). */
export function routedTargetRows(result: RoutedResult): string[][] {
  const isolatedAdded = result.isolated.routed.wall.p50 - result.isolated.alias.wall.p50;
  const networkAdded = result.network.routed.wall.p50 - result.network.alias.wall.p50;
  const errors = result.networkTally.callerErrors + result.networkAliasErrors;
  return [
    ['routing added p50 (2 weighted targets, one failing 10 %), isolated', signedUs(isolatedAdded), '≤ 10 µs', mark(isolatedAdded <= ROUTED_TARGETS.addedP50Ms)],
    ['routing added p50, SDK + mock', signedUs(networkAdded), `not judged: rounds ${deltaRange(roundDeltas(result.network.routed, result.network.alias))}`, '—'],
    [`SDK-visible errors through the router (${int(result.networkTally.calls)} calls)`, int(errors), '0', mark(errors === 0)],
  ];
}

function deltaRange(deltas: readonly number[]): string {
  return `${signedUs(Math.min(...deltas), 1)} … ${signedUs(Math.max(...deltas), 1)}`;
}

function tallyText(tally: FailureTally): string {
  const share = tally.failingTargetRequests === 0 ? 0 : (tally.failures / tally.failingTargetRequests) * 100;
  return `${int(tally.calls)} calls; failing target: ${int(tally.failingTargetRequests)} requests, ${int(tally.failures)} answered 503 (${share.toFixed(1)} %), each followed by a fallback; errors seen by the caller: ${int(tally.callerErrors)}`;
}

/**
 * The routing section of the results: tables and method.
 * @param result - what {@link measureRouted} found
 * @param options - the counts it ran with
 * @returns Markdown
 */
export function renderRouted(result: RoutedResult, options: RoutedOptions): string {
  const { network, isolated: iso } = result;
  const labels: Record<IsoKey, string> = {
    alias: 'single-target alias (`one` → `a/gpt-4o-mini`)',
    healthy: 'router, 2 weighted targets, no failures',
    routed: 'router, 2 weighted targets, one failing 10 %',
  };
  const row = (label: string, series: CallSeries, base: CallSeries | null): string[] => [
    label,
    us(series.wall.p50),
    us(series.wall.p99),
    us(series.wall.mean),
    base === null ? '—' : signedUs(series.wall.p50 - base.wall.p50),
    base === null ? '—' : deltaRange(roundDeltas(series, base)),
    base === null ? '—' : signedUs(series.wall.p99 - base.wall.p99),
  ];
  const header = ['p50', 'p99', 'mean', 'added p50', '(per round)', 'added p99'];
  const networkTable = markdownTable(['OpenAI SDK → Sluice → mock, non-streaming', ...header], [row(labels.alias, network.alias, null), row(labels.routed, network.routed, network.alias)]);
  const isolatedTable = markdownTable(['fake upstream, no SDK, no socket', ...header], [
    row(labels.alias, iso.alias, null),
    row(labels.healthy, iso.healthy, iso.alias),
    row(labels.routed, iso.routed, iso.alias),
  ]);
  const method = [
    `- Router \`mix\`: strategy \`weighted\`, targets \`a/gpt-4o-mini\` and \`b/${FAILING_MODEL}\` (weight 1 each), \`retries: 0\` (a 503 falls back to the other target at once, no backoff); alias \`one\` → \`a/gpt-4o-mini\`. One Sluice instance per variant.`,
    `- Over the network (${options.network.rounds} x ${options.network.callsPerRound} calls per variant after ${options.network.warmupCalls} warm-up calls): the mock answers \`${FAILING_MODEL}\` with a scripted 503 once every ${SCRIPT_EVERY} router calls. ${tallyText(result.networkTally)} (warm-up included); alias errors: ${int(result.networkAliasErrors)}.`,
    `- Isolated (${options.isolated.rounds} x ${options.isolated.callsPerRound} calls per variant): the fake upstream fails every tenth request to target b. ${tallyText(result.isolatedTally)}.`,
  ].join('\n');
  return `## Routed: weighted router with a failing target vs single-target alias\n\n${networkTable}\n\n${isolatedTable}\n\n${method}`;
}
