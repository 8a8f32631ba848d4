/**
 * Number, money, duration and time formatting for the dashboard. Pure; the locale is fixed to `en-US`
 * so figures read the same on every machine (and in tests).
 * @module
 */

const DASH = '—';
const grouped = new Intl.NumberFormat('en-US', { maximumFractionDigits: 0 });
const cents = new Intl.NumberFormat('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });

/**
 * Formats US dollars: cents from one cent up, two significant digits below (LLM calls cost fractions of a cent).
 * @param usd An amount, or `null` when unknown.
 */
export function formatUsd(usd: number | null): string {
  if (usd === null || !Number.isFinite(usd)) return DASH;
  const sign = usd < 0 ? '-' : '';
  const amount = Math.abs(usd);
  if (amount === 0 || amount >= 0.01) return `${sign}$${cents.format(amount)}`;
  return `${sign}$${Number(amount.toPrecision(2)).toFixed(Math.max(2, 1 - Math.floor(Math.log10(amount))))}`;
}

/**
 * Formats a count with thousands separators.
 * @param count A count, or `null` when unknown.
 */
export function formatCount(count: number | null): string {
  return count === null || !Number.isFinite(count) ? DASH : grouped.format(count);
}

/**
 * Formats an axis value compactly: `950`, `1.2k`, `15k`, `2.5M`, `0.25`.
 * @param value Any finite number.
 */
export function formatCompact(value: number): string {
  const amount = Math.abs(value);
  for (const [size, suffix] of [[1e9, 'B'], [1e6, 'M'], [1e3, 'k']] as const) {
    if (amount >= size) return `${trim(value / size)}${suffix}`;
  }
  return trim(value);
}

function trim(value: number): string {
  const amount = Math.abs(value);
  const digits = amount >= 100 || amount === 0 ? 0 : amount >= 10 ? 0 : amount >= 1 ? 1 : Math.max(2, 1 - Math.floor(Math.log10(amount)));
  return String(Number(value.toFixed(Math.min(digits, 8))));
}

/**
 * Formats a duration: `412 ms`, `1.53 s`, `2m 05s`, `2h 45m`.
 * @param ms Milliseconds, or `null` when unknown.
 */
export function formatMs(ms: number | null): string {
  if (ms === null || !Number.isFinite(ms)) return DASH;
  if (ms < 1000) return `${ms < 10 ? Number(ms.toFixed(1)) : Math.round(ms)} ms`;
  if (ms < 60_000) return `${Number((ms / 1000).toFixed(2))} s`;
  if (ms < 3_600_000) {
    const seconds = Math.round(ms / 1000);
    return `${Math.floor(seconds / 60)}m ${String(seconds % 60).padStart(2, '0')}s`;
  }
  const minutes = Math.round(ms / 60_000);
  return `${Math.floor(minutes / 60)}h ${String(minutes % 60).padStart(2, '0')}m`;
}

/**
 * Formats a rate in [0, 1] as a percentage with at most one decimal.
 * @param rate The rate, or `null` when there was nothing to measure.
 */
export function formatPercent(rate: number | null): string {
  return rate === null || !Number.isFinite(rate) ? DASH : `${Number((rate * 100).toFixed(1))}%`;
}

function parts(epochMs: number, timeZone: string | undefined): Record<string, string> {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit', hourCycle: 'h23' });
  const out: Record<string, string> = {};
  for (const part of format.formatToParts(epochMs)) out[part.type] = part.value;
  return out;
}

/**
 * Formats an instant as `YYYY-MM-DD HH:MM:SS`.
 * @param epochMs Milliseconds since the epoch.
 * @param timeZone An IANA zone; the browser's own when omitted.
 */
export function formatDateTime(epochMs: number, timeZone?: string): string {
  const p = parts(epochMs, timeZone);
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
}

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

/**
 * Formats a time-axis tick: the time of day over spans up to two days, the date over longer ones.
 * @param epochMs The tick.
 * @param spanMs The width of the whole axis.
 * @param timeZone An IANA zone; the browser's own when omitted.
 */
export function formatTick(epochMs: number, spanMs: number, timeZone?: string): string {
  const p = parts(epochMs, timeZone);
  if (spanMs <= 2 * 86_400_000) return `${p.hour}:${p.minute}`;
  return `${MONTHS[Number(p.month) - 1] ?? p.month} ${Number(p.day)}`;
}

/**
 * Formats one call's cost: up to four decimals (two at least) from a cent up, two significant digits below.
 * @param usd An amount, or `null` when unknown.
 */
export function formatUsdPrecise(usd: number | null): string {
  if (usd === null || !Number.isFinite(usd) || Math.abs(usd) < 0.01) return formatUsd(usd);
  const amount = Math.abs(usd);
  const decimals = Math.max(2, (String(Number(amount.toFixed(4))).split('.')[1] ?? '').length);
  const text = new Intl.NumberFormat('en-US', { minimumFractionDigits: decimals, maximumFractionDigits: decimals }).format(amount);
  return `${usd < 0 ? '-' : ''}$${text}`;
}
