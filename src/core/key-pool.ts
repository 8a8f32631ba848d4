/**
 * Several API keys for one provider, used in turn; a key that gets a 429 rests until the provider's
 * reset time while the others carry on. Keys never leave this module: attempts name them by index.
 * @module
 */

/** How long to rest a key when a 429 names no reset time. */
const DEFAULT_COOLDOWN_MS = 10_000;
/** The longest rest a provider's headers may impose. */
const MAX_COOLDOWN_MS = 10 * 60_000;

/**
 * Reads how long a rate-limited key should rest, from the headers providers send: `retry-after-ms`,
 * `retry-after` (seconds or an HTTP date), OpenAI's `x-ratelimit-reset-requests`/`-tokens` (`1s`,
 * `6m0s`, `20ms`), Anthropic's `anthropic-ratelimit-*-reset` (RFC 3339).
 * @param headers The 429's headers.
 * @param nowEpochMs The wall clock, for dates.
 * @returns Milliseconds, or `null` when no header says.
 * @example
 * resetAfterMs(new Headers({ 'x-ratelimit-reset-requests': '1m30s' }), Date.now()); // 90000
 */
export function resetAfterMs(headers: Headers, nowEpochMs: number): number | null {
  const ms = headers.get('retry-after-ms');
  if (ms !== null && Number.isFinite(Number(ms))) return Math.max(0, Number(ms));
  const after = headers.get('retry-after');
  if (after !== null) {
    const seconds = Number(after);
    if (Number.isFinite(seconds)) return Math.max(0, seconds * 1000);
    const date = Date.parse(after);
    if (!Number.isNaN(date)) return Math.max(0, date - nowEpochMs);
  }
  let longest: number | null = null;
  for (const name of ['x-ratelimit-reset-requests', 'x-ratelimit-reset-tokens']) {
    const value = headers.get(name);
    const parsed = value === null ? null : parseGoDuration(value);
    if (parsed !== null) longest = Math.max(longest ?? 0, parsed);
  }
  for (const name of ['anthropic-ratelimit-requests-reset', 'anthropic-ratelimit-tokens-reset', 'anthropic-ratelimit-input-tokens-reset', 'anthropic-ratelimit-output-tokens-reset']) {
    const value = headers.get(name);
    const date = value === null ? Number.NaN : Date.parse(value);
    if (!Number.isNaN(date)) longest = Math.max(longest ?? 0, date - nowEpochMs);
  }
  return longest;
}

/** Parses durations like `1s`, `6m0s`, `20ms`, `1h2m3.5s`. */
function parseGoDuration(text: string): number | null {
  const pattern = /(\d+(?:\.\d+)?)(ms|h|m|s)/g;
  let total = 0;
  let matched = 0;
  for (const match of text.matchAll(pattern)) {
    const value = Number(match[1]);
    const unit = match[2];
    total += unit === 'h' ? value * 3_600_000 : unit === 'm' ? value * 60_000 : unit === 's' ? value * 1000 : value;
    matched += match[0].length;
  }
  return matched === text.trim().length && matched > 0 ? total : null;
}

/** One provider's keys, in turn, skipping resting ones. */
export class KeyPool {
  readonly #keys: readonly string[];
  readonly #restUntil: Float64Array;
  #next = 0;

  /** @param keys At least two keys. */
  constructor(keys: readonly string[]) {
    this.#keys = keys;
    this.#restUntil = new Float64Array(keys.length);
  }

  /**
   * Takes the next key that is not resting; when all rest, the one that wakes first.
   * @param nowMs A monotonic clock.
   * @returns The key and its index (`#<index>` names it in records).
   */
  take(nowMs: number): { key: string; index: number } {
    const count = this.#keys.length;
    let soonest = 0;
    for (let step = 0; step < count; step++) {
      const index = (this.#next + step) % count;
      if (this.#restUntil[index]! <= nowMs) {
        this.#next = (index + 1) % count;
        return { key: this.#keys[index]!, index };
      }
      if (this.#restUntil[index]! < this.#restUntil[soonest]!) soonest = index;
    }
    return { key: this.#keys[soonest]!, index: soonest };
  }

  /**
   * Rests a key after a 429.
   * @param index The key's index.
   * @param nowMs A monotonic clock.
   * @param restMs How long, from {@link resetAfterMs}; `null` rests it for 10 s.
   */
  rest(index: number, nowMs: number, restMs: number | null): void {
    this.#restUntil[index] = nowMs + Math.min(MAX_COOLDOWN_MS, restMs ?? DEFAULT_COOLDOWN_MS);
  }

  /** How many keys are not resting. */
  available(nowMs: number): number {
    let count = 0;
    for (const until of this.#restUntil) if (until <= nowMs) count++;
    return count;
  }
}
