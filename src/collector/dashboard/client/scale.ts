/**
 * Scales, ticks and SVG path data for the dashboard's hand-written charts. Pure.
 * @module
 */

/**
 * Evenly spaced ticks from 0 (or `min`) up to a "nice" number (1, 2, 2.5 or 5 times a power of ten) at or above `max`.
 * @param min The lowest value (charts here start at 0).
 * @param max The highest value to show.
 * @param count About how many intervals to aim for.
 * @returns The ticks, lowest first; at least two.
 */
export function niceTicks(min: number, max: number, count: number): number[] {
  if (!(max > min)) return [min, min + 1];
  const rough = (max - min) / Math.max(1, count);
  const power = 10 ** Math.floor(Math.log10(rough));
  const step = ([1, 2, 2.5, 5, 10].find((factor) => factor * power >= rough) ?? 10) * power;
  const start = Math.floor(min / step) * step;
  const ticks: number[] = [];
  // Bounded: (max - min) / step is at most about 2 * count.
  for (let index = 0; index <= 4 * count + 2; index++) {
    const tick = Number((start + index * step).toPrecision(12));
    ticks.push(tick);
    if (tick >= max) break;
  }
  return ticks;
}

/**
 * A linear map from a domain onto a range.
 * @param domain `[d0, d1]`; a flat domain maps everything to `r0`.
 * @param range `[r0, r1]`, which may run backwards (SVG's y axis grows downwards).
 */
export function linearScale(domain: readonly [number, number], range: readonly [number, number]): (value: number) => number {
  const [d0, d1] = domain;
  const [r0, r1] = range;
  const span = d1 - d0;
  return (value) => (span === 0 ? r0 : r0 + ((value - d0) / span) * (r1 - r0));
}

const MINUTE = 60_000;
const HOUR = 60 * MINUTE;
const DAY = 24 * HOUR;
const TIME_STEPS = [MINUTE, 2 * MINUTE, 5 * MINUTE, 10 * MINUTE, 15 * MINUTE, 30 * MINUTE, HOUR, 2 * HOUR, 3 * HOUR, 6 * HOUR, 12 * HOUR, DAY, 2 * DAY, 7 * DAY, 14 * DAY, 30 * DAY];

/**
 * Ticks on round time steps (whole minutes, hours, days from the epoch, shifted by a zone offset) strictly inside `(from, to]`.
 * @param from Start of the axis, epoch ms.
 * @param to End of the axis, epoch ms.
 * @param count The most ticks wanted.
 * @param offsetMs Local time minus UTC, so days start at local midnight; 0 for UTC.
 */
export function timeTicks(from: number, to: number, count: number, offsetMs = 0): number[] {
  const span = to - from;
  if (!(span > 0)) return [];
  const step = TIME_STEPS.find((candidate) => span / candidate <= count) ?? Math.ceil(span / count / DAY) * DAY;
  const ticks: number[] = [];
  let tick = Math.floor((from + offsetMs) / step) * step - offsetMs;
  if (tick <= from) tick += step;
  for (let index = 0; index <= count && tick <= to; index++, tick += step) ticks.push(tick);
  return ticks;
}

const coordinate = (value: number): string => String(Math.round(value * 10) / 10);

/**
 * SVG path data through points; a `null` y breaks the line (a bucket with nothing to show).
 * @param points `[x, y]` pairs, x ascending.
 */
export function linePath(points: ReadonlyArray<readonly [number, number | null]>): string {
  let path = '';
  let drawing = false;
  for (const [x, y] of points) {
    if (y === null) {
      drawing = false;
      continue;
    }
    path += `${drawing ? 'L' : 'M'}${coordinate(x)},${coordinate(y)}`;
    drawing = true;
  }
  return path;
}

/**
 * SVG path data of the closed area between points and a horizontal baseline.
 * @param points `[x, y]` pairs, x ascending.
 * @param baseline The y of the baseline.
 */
export function areaPath(points: ReadonlyArray<readonly [number, number]>, baseline: number): string {
  const first = points[0];
  const last = points.at(-1);
  if (first === undefined || last === undefined) return '';
  const base = coordinate(baseline);
  return `M${coordinate(first[0])},${base}${points.map(([x, y]) => `L${coordinate(x)},${coordinate(y)}`).join('')}L${coordinate(last[0])},${base}Z`;
}
