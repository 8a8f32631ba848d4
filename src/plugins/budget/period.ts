/**
 * Budget periods on the wall clock: UTC calendar days and months, or fixed windows of `everyMs`
 * aligned to the epoch. The window's id is part of the store key, so a new period starts from zero
 * without anything being reset.
 * @module
 */
import type { ResolvedPeriod } from './options.js';

/** One period: where it starts and ends, and its id in store keys. */
export interface PeriodWindow {
  /** `d2025-01-31`, `m2025-01`, or `w3600000-1738281600000`; never contains `:`. */
  id: string;
  /** Start, ms since the epoch (inclusive). */
  startMs: number;
  /** End, ms since the epoch (exclusive): when the budget resets. */
  endMs: number;
}

const DAY_MS = 86_400_000;

const pad = (value: number): string => String(value).padStart(2, '0');

/**
 * The period containing an instant.
 * @param period The budget's period.
 * @param nowMs The instant, ms since the epoch.
 * @returns The window around it.
 * @example
 * periodAt({ kind: 'month' }, Date.UTC(2025, 0, 31, 23, 59)); // { id: 'm2025-01', startMs: Date.UTC(2025, 0, 1), endMs: Date.UTC(2025, 1, 1) }
 */
export function periodAt(period: ResolvedPeriod, nowMs: number): PeriodWindow {
  switch (period.kind) {
    case 'day': {
      const startMs = Math.floor(nowMs / DAY_MS) * DAY_MS;
      const date = new Date(startMs);
      return { id: `d${date.getUTCFullYear()}-${pad(date.getUTCMonth() + 1)}-${pad(date.getUTCDate())}`, startMs, endMs: startMs + DAY_MS };
    }
    case 'month': {
      const date = new Date(nowMs);
      const year = date.getUTCFullYear();
      const month = date.getUTCMonth();
      return { id: `m${year}-${pad(month + 1)}`, startMs: Date.UTC(year, month, 1), endMs: Date.UTC(year, month + 1, 1) };
    }
    case 'every': {
      const startMs = Math.floor(nowMs / period.everyMs) * period.everyMs;
      return { id: `w${period.everyMs}-${startMs}`, startMs, endMs: startMs + period.everyMs };
    }
    default: {
      const unreachable: never = period;
      throw new Error(`unhandled period ${JSON.stringify(unreachable)}`);
    }
  }
}

/**
 * Names a period for messages: `this day`, `this month`, or `this 1 h window`.
 * @param period The budget's period.
 */
export function describePeriod(period: ResolvedPeriod): string {
  if (period.kind !== 'every') return `this ${period.kind}`;
  const ms = period.everyMs;
  const text = ms % 3_600_000 === 0 ? `${ms / 3_600_000} h` : ms % 60_000 === 0 ? `${ms / 60_000} min` : ms % 1000 === 0 ? `${ms / 1000} s` : `${ms} ms`;
  return `this ${text} window`;
}
