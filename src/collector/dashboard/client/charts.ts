/**
 * Hand-written SVG charts: values over time (lines and areas, axes, a hover read-out) and top-N bars.
 * Each has a title and description for screen readers and a table with the same numbers.
 * Colours come from classes in the stylesheet, so they follow the light or dark scheme.
 * @module
 */
import { h, s } from './dom.js';
import { formatDateTime, formatTick } from './format.js';
import { areaPath, linePath, linearScale, niceTicks, timeTicks } from './scale.js';

/** One line of a time chart. */
export interface Series {
  /** The legend's name. */
  name: string;
  /** A colour class of the stylesheet: `c1`…`c4`, `bad`. */
  tone: string;
  /** One value per bucket; `null` where there is nothing to show. */
  values: ReadonlyArray<number | null>;
  /** Fill the area under the line. */
  area?: boolean;
  /** Draw a column per bucket instead of a line (counts). Later series are drawn over earlier ones. */
  bars?: boolean;
  /** Join the line across empty buckets (percentiles, which have no value where there were no calls). */
  connectGaps?: boolean;
}

/** What a time chart draws. */
export interface TimeChartOptions {
  title: string;
  /** One sentence for screen readers: what the chart shows. */
  description: string;
  /** Bucket starts, epoch ms. */
  buckets: readonly number[];
  intervalMs: number;
  series: readonly Series[];
  /** Formats a value for the axis, the read-out and the table. */
  format: (value: number) => string;
  /** Formats an axis tick; `format` when omitted. */
  formatAxis?: (value: number) => string;
}

const WIDTH = 640;
const HEIGHT = 220;
const MARGIN = { top: 12, right: 14, bottom: 26, left: 56 };
let chartCount = 0;

/**
 * Draws values over time.
 * @param options The chart.
 * @returns A `figure` with the chart, its legend, a hover read-out and a table.
 */
export function timeChart(options: TimeChartOptions): HTMLElement {
  const id = `chart-${++chartCount}`;
  const { buckets, intervalMs, series } = options;
  const from = buckets[0] ?? 0;
  const to = (buckets.at(-1) ?? 0) + intervalMs;
  const maxValue = Math.max(0, ...series.flatMap((line) => line.values.filter((value): value is number => value !== null)));
  const ticks = niceTicks(0, maxValue, 4);
  const top = ticks.at(-1) ?? 1;
  const x = linearScale([from, to], [MARGIN.left, WIDTH - MARGIN.right]);
  const y = linearScale([0, top], [HEIGHT - MARGIN.bottom, MARGIN.top]);
  const center = (index: number): number => x((buckets[index] ?? 0) + intervalMs / 2);
  const formatAxis = options.formatAxis ?? options.format;
  const offsetMs = -new Date(from).getTimezoneOffset() * 60_000;

  const grid = ticks.map((tick) =>
    s('g', { class: 'tick' }, s('line', { x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(tick), y2: y(tick) }), s('text', { x: MARGIN.left - 8, y: y(tick), dy: '0.32em', 'text-anchor': 'end' }, formatAxis(tick))),
  );
  const timeAxis = timeTicks(from, to, 6, offsetMs).map((tick) =>
    s('g', { class: 'tick' }, s('line', { class: 'mark', x1: x(tick), x2: x(tick), y1: HEIGHT - MARGIN.bottom, y2: HEIGHT - MARGIN.bottom + 4 }), s('text', { x: x(tick), y: HEIGHT - 8, 'text-anchor': 'middle' }, formatTick(tick, to - from))),
  );
  const slot = x(from + intervalMs) - x(from);
  const lines = series.map((line) => {
    if (line.bars) {
      const barWidth = Math.max(1, slot * 0.72);
      return s(
        'g',
        { class: `series bars ${line.tone}` },
        line.values.map((value, index) => (value === null || value <= 0 ? null : s('rect', { class: 'column', x: center(index) - barWidth / 2, y: y(value), width: barWidth, height: Math.max(0, y(0) - y(value)), rx: Math.min(2, barWidth / 4) }))),
      );
    }
    const points = line.values.map((value, index) => [center(index), value === null ? null : y(value)] as const);
    const filled = points.filter((point): point is readonly [number, number] => point[1] !== null);
    // A point with no neighbour would be invisible as a path: show it as a dot.
    const lonely = line.connectGaps ? (filled.length === 1 ? filled : []) : points.filter((point, index) => point[1] !== null && (points[index - 1]?.[1] ?? null) === null && (points[index + 1]?.[1] ?? null) === null);
    return s(
      'g',
      { class: `series ${line.tone}` },
      line.area ? s('path', { class: 'area', d: areaPath(filled, y(0)) }) : null,
      s('path', { class: 'line', d: linePath(line.connectGaps ? filled : points) }),
      lonely.map((point) => s('circle', { class: 'dot', cx: point[0], cy: point[1]!, r: 2.5 })),
    );
  });

  const guide = s('line', { class: 'guide', y1: MARGIN.top, y2: HEIGHT - MARGIN.bottom, x1: 0, x2: 0 });
  const dots = series.map((line) => s('circle', { class: `hover-dot ${line.tone}`, r: 4, cx: 0, cy: 0 }));
  const hoverLayer = s('g', { class: 'hover', visibility: 'hidden' }, guide, dots);
  // Pointer-only: screen readers get the same numbers from the table, not a stream of updates.
  const readout = h('div', { class: 'readout', hidden: true, 'aria-hidden': 'true' });
  const overlay = s('rect', { class: 'overlay', x: MARGIN.left, y: MARGIN.top, width: WIDTH - MARGIN.left - MARGIN.right, height: HEIGHT - MARGIN.top - MARGIN.bottom });
  const svg = s(
    'svg',
    { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, role: 'img', 'aria-labelledby': `${id}-title ${id}-desc`, class: 'chart' },
    s('title', { id: `${id}-title` }, options.title),
    s('desc', { id: `${id}-desc` }, options.description),
    s('g', { class: 'axis' }, grid, timeAxis, s('line', { class: 'baseline', x1: MARGIN.left, x2: WIDTH - MARGIN.right, y1: y(0), y2: y(0) })),
    lines,
    hoverLayer,
    overlay,
  );

  const show = (index: number): void => {
    const bucket = buckets[index];
    if (bucket === undefined) return;
    const cx = center(index);
    for (const line of [guide]) {
      line.setAttribute('x1', String(cx));
      line.setAttribute('x2', String(cx));
    }
    series.forEach((line, lineIndex) => {
      const value = line.values[index] ?? null;
      const dot = dots[lineIndex]!;
      dot.setAttribute('visibility', value === null ? 'hidden' : 'visible');
      if (value !== null) {
        dot.setAttribute('cx', String(cx));
        dot.setAttribute('cy', String(y(value)));
      }
    });
    hoverLayer.setAttribute('visibility', 'visible');
    readout.replaceChildren(
      h('strong', undefined, formatDateTime(bucket)),
      ...series.map((line) => h('span', { class: `readout-row ${line.tone}` }, h('i', { class: 'swatch' }), `${line.name} `, h('b', undefined, line.values[index] === null || line.values[index] === undefined ? '—' : options.format(line.values[index]!)))),
    );
    readout.hidden = false;
    // CSSOM positions are allowed under `style-src 'self'` (only style attributes and elements are not).
    const share = cx / WIDTH;
    readout.style.left = `${(share * 100).toFixed(2)}%`;
    readout.classList.toggle('flip', share > 0.6);
  };
  const hide = (): void => {
    hoverLayer.setAttribute('visibility', 'hidden');
    readout.hidden = true;
  };
  overlay.addEventListener('pointermove', (event) => {
    const box = svg.getBoundingClientRect();
    if (box.width === 0 || buckets.length === 0) return;
    const svgX = ((event.clientX - box.left) / box.width) * WIDTH;
    const index = Math.min(buckets.length - 1, Math.max(0, Math.floor(((svgX - MARGIN.left) / (WIDTH - MARGIN.left - MARGIN.right)) * buckets.length)));
    show(index);
  });
  overlay.addEventListener('pointerleave', hide);

  const legend = h('ul', { class: 'legend' }, series.map((line) => h('li', { class: line.tone }, h('i', { class: 'swatch' }), line.name)));
  const table = h(
    'table',
    { class: 'data' },
    h('caption', undefined, options.title),
    h('thead', undefined, h('tr', undefined, h('th', { scope: 'col' }, 'Time'), series.map((line) => h('th', { scope: 'col' }, line.name)))),
    h(
      'tbody',
      undefined,
      buckets.map((bucket, index) => h('tr', undefined, h('th', { scope: 'row' }, formatDateTime(bucket)), series.map((line) => h('td', undefined, line.values[index] === null || line.values[index] === undefined ? '—' : options.format(line.values[index]!))))),
    ),
  );
  return h(
    'figure',
    { class: 'card chart-card' },
    h('figcaption', undefined, h('h3', undefined, options.title), legend),
    h('div', { class: 'plot' }, svg, readout),
    h('details', { class: 'as-table' }, h('summary', undefined, 'Table'), table),
  );
}

/** One bar of a top-N chart. */
export interface Bar {
  label: string;
  value: number;
  /** A second figure shown after the value (`12 requests`). */
  note?: string;
  /** Where a click leads (a dashboard hash). */
  href?: string;
}

/**
 * Draws horizontal bars, largest first: one row per bar with its label, an SVG bar and the value, so
 * text keeps its size however narrow the card is.
 * @param title The heading.
 * @param bars The bars, already ranked.
 * @param format Formats a value.
 */
export function barChart(title: string, bars: readonly Bar[], format: (value: number) => string): HTMLElement {
  const max = Math.max(0, ...bars.map((bar) => bar.value));
  const width = linearScale([0, max || 1], [0, 100]);
  const rows = bars.map((bar) => {
    const content = [
      h('span', { class: 'bar-label', title: bar.label }, bar.label),
      s(
        'svg',
        { class: 'bar-svg', viewBox: '0 0 100 10', preserveAspectRatio: 'none', 'aria-hidden': 'true' },
        s('rect', { class: 'bar-track', x: 0, y: 0, width: 100, height: 10 }),
        s('rect', { class: 'bar', x: 0, y: 0, width: Math.max(bar.value > 0 ? 0.5 : 0, width(bar.value)), height: 10 }),
      ),
      h('span', { class: 'bar-value' }, format(bar.value), bar.note ? h('span', { class: 'muted' }, ` · ${bar.note}`) : null),
    ];
    return h('li', undefined, bar.href ? h('a', { class: 'bar-row', href: bar.href }, content) : h('div', { class: 'bar-row' }, content));
  });
  const table = h(
    'table',
    { class: 'data' },
    h('caption', undefined, title),
    h('thead', undefined, h('tr', undefined, h('th', { scope: 'col' }, 'Name'), h('th', { scope: 'col' }, 'Value'))),
    h('tbody', undefined, bars.map((bar) => h('tr', undefined, h('th', { scope: 'row' }, bar.label), h('td', undefined, format(bar.value), bar.note ? ` (${bar.note})` : '')))),
  );
  return h(
    'figure',
    { class: 'card bar-card' },
    h('figcaption', undefined, h('h3', undefined, title)),
    bars.length === 0 ? h('p', { class: 'empty' }, 'Nothing in this range.') : h('ol', { class: 'bars', 'aria-label': title }, rows),
    h('details', { class: 'as-table' }, h('summary', undefined, 'Table'), table),
  );
}
