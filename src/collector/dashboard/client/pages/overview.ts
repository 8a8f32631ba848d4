/**
 * The overview: headline figures, charts over time, and the top models, providers and users by cost.
 * @module
 */
import type { StatsGroupBy, StatsResult, StatsRow } from '../../../store/types.js';
import { getJson } from '../api.js';
import { barChart, timeChart } from '../charts.js';
import { h, type Child } from '../dom.js';
import { formatCompact, formatCount, formatMs, formatPercent, formatUsd } from '../format.js';
import { formatInterval, RANGE_PRESETS, rangeWindow, routeHash, singleBucketInterval, type RangePreset } from '../query.js';
import { fillSeries, sumRows, topGroups } from '../stats.js';
import { pageHeader, type PageContext } from '../views.js';

const isPreset = (value: string | undefined): value is RangePreset => (RANGE_PRESETS as readonly string[]).includes(value ?? '');

/**
 * The time range picker: one link per preset, the current one marked.
 * @param page The page whose `range` parameter it sets.
 * @param current The selected preset.
 * @param params The page's other parameters.
 */
export function rangePicker(page: 'overview' | 'log', current: string, params: Record<string, string>): HTMLElement {
  return h(
    'nav',
    { class: 'segmented', 'aria-label': 'Time range' },
    RANGE_PRESETS.map((preset) => h('a', { href: routeHash({ page, id: null, params: { ...params, range: preset, cursor: '' } }), 'aria-current': preset === current ? 'true' : undefined }, preset)),
  );
}

function kpi(name: string, label: string, value: string, ...detail: Child[]): HTMLElement {
  return h('div', { class: 'card kpi' }, h('div', { class: 'kpi-label' }, label), h('div', { class: 'kpi-value', 'data-kpi': name }, value), h('div', { class: 'kpi-detail' }, ...detail));
}

const costAxis = (value: number): string => (value === 0 ? '$0' : `$${formatCompact(value)}`);
const msAxis = (value: number): string => (value >= 1000 ? `${formatCompact(value / 1000)} s` : `${formatCompact(value)} ms`);

/**
 * Renders the overview.
 * @param context The page context.
 */
export async function overviewPage(context: PageContext): Promise<void> {
  const preset = isPreset(context.route.params.range) ? context.route.params.range : '24h';
  const { from, to, intervalMs } = rangeWindow(preset, Date.now());
  const whole = singleBucketInterval(from, to);
  const stats = (interval: number, groupBy?: StatsGroupBy): Promise<StatsResult> =>
    getJson<StatsResult>(`v1/stats?from=${from}&to=${to}&interval=${formatInterval(interval)}${groupBy ? `&groupBy=${groupBy}` : ''}`, context.signal);
  const [series, total, models, providers, users] = await Promise.all([stats(intervalMs), stats(whole), stats(whole, 'model'), stats(whole, 'provider'), stats(whole, 'user')]);

  const sums = sumRows(total.rows);
  // One bucket holds the whole range, so its percentiles and hit rate are the range's own.
  const overall: StatsRow | undefined = total.rows.length === 1 ? total.rows[0] : undefined;
  const points = fillSeries(series.rows, from, to, series.intervalMs || intervalMs);
  const buckets = points.map((point) => point.bucket);
  const interval = series.intervalMs || intervalMs;
  const errorRate = sums.requests > 0 ? sums.errors / sums.requests : null;

  const figures = h(
    'section',
    { class: 'kpis', 'aria-label': 'Totals' },
    kpi('requests', 'Requests', formatCount(sums.requests), `${formatCount(sums.fallbacks)} with fallbacks`),
    kpi('errors', 'Errors', formatCount(sums.errors), `${formatPercent(errorRate)} of requests`),
    kpi('cost', 'Cost', formatUsd(sums.costUsd), `${formatUsd(sums.requests > 0 ? sums.costUsd / sums.requests : null)} per request`),
    kpi('tokens', 'Tokens', formatCount(sums.inputTokens + sums.outputTokens), h('span', { 'data-kpi': 'input-tokens' }, formatCount(sums.inputTokens)), ' in · ', h('span', { 'data-kpi': 'output-tokens' }, formatCount(sums.outputTokens)), ' out'),
    kpi(
      'latency-p50',
      'Latency p50',
      formatMs(overall?.latencyMs.p50 ?? null),
      'p95 ',
      h('span', { 'data-kpi': 'latency-p95' }, formatMs(overall?.latencyMs.p95 ?? null)),
      ' · p99 ',
      h('span', { 'data-kpi': 'latency-p99' }, formatMs(overall?.latencyMs.p99 ?? null)),
    ),
    kpi('saved', 'Cache savings', formatUsd(sums.savedUsd), 'hit rate ', h('span', { 'data-kpi': 'hit-rate' }, formatPercent(overall?.cacheHitRate ?? null))),
  );

  const charts = h(
    'section',
    { class: 'charts', 'aria-label': 'Over time' },
    timeChart({
      title: 'Requests and errors',
      description: `Requests and errors per ${formatInterval(interval)} over the last ${preset}.`,
      buckets,
      intervalMs: interval,
      series: [
        { name: 'Requests', tone: 'c1', values: points.map((point) => point.requests), bars: true },
        { name: 'Errors', tone: 'bad', values: points.map((point) => point.errors), bars: true },
      ],
      format: (value) => formatCount(value),
      formatAxis: formatCompact,
    }),
    timeChart({
      title: 'Cost',
      description: `Cost in US dollars per ${formatInterval(interval)}, and what the cache saved.`,
      buckets,
      intervalMs: interval,
      series: [
        { name: 'Cost', tone: 'c2', values: points.map((point) => point.costUsd), area: true },
        { name: 'Saved by cache', tone: 'c4', values: points.map((point) => point.savedUsd) },
      ],
      format: formatUsd,
      formatAxis: costAxis,
    }),
    timeChart({
      title: 'Tokens',
      description: `Input and output tokens per ${formatInterval(interval)}.`,
      buckets,
      intervalMs: interval,
      series: [
        { name: 'Input', tone: 'c1', values: points.map((point) => point.inputTokens), area: true },
        { name: 'Output', tone: 'c3', values: points.map((point) => point.outputTokens), area: true },
      ],
      format: (value) => formatCount(value),
      formatAxis: formatCompact,
    }),
    timeChart({
      title: 'Latency',
      description: `Latency percentiles per ${formatInterval(interval)}, in milliseconds.`,
      buckets,
      intervalMs: interval,
      series: [
        { name: 'p50', tone: 'c1', values: points.map((point) => point.latencyMs.p50), connectGaps: true },
        { name: 'p95', tone: 'c3', values: points.map((point) => point.latencyMs.p95), connectGaps: true },
        { name: 'p99', tone: 'bad', values: points.map((point) => point.latencyMs.p99), connectGaps: true },
      ],
      format: formatMs,
      formatAxis: msAxis,
    }),
  );

  const top = (title: string, key: 'model' | 'provider' | 'user', result: StatsResult): HTMLElement =>
    barChart(
      title,
      topGroups(result.rows, 8).map((group) => ({
        label: group.group,
        value: group.costUsd,
        note: `${formatCount(group.requests)} req`,
        ...(group.group === '(none)' ? {} : { href: routeHash({ page: 'log', id: null, params: { [key]: group.group, range: preset } }) }),
      })),
      formatUsd,
    );

  context.show(
    pageHeader('Overview', rangePicker('overview', preset, {})),
    figures,
    charts,
    h('section', { class: 'tops', 'aria-label': 'Top by cost' }, top('Top models by cost', 'model', models), top('Top providers by cost', 'provider', providers), top('Top users by cost', 'user', users)),
  );
}
