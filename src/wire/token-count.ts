/**
 * Token counts as providers report them, checked: its own module so that the usage readers in the
 * core entry do not pull the price rules in with it.
 * @module
 */

/**
 * Reads a token count: a number from 0 to `Number.MAX_SAFE_INTEGER`. Anything else (negative, not
 * finite, absurdly large such as `1e308`, not a number) is unknown, so it can never price to
 * `Infinity` or a negative amount.
 * @param value What the provider sent.
 * @returns The count, or `null` when unknown.
 * @example
 * tokenCount(12); // 12
 * tokenCount(-3); // null
 * tokenCount(1e308); // null
 */
export function tokenCount(value: unknown): number | null {
  return typeof value === 'number' && value >= 0 && value <= Number.MAX_SAFE_INTEGER ? value : null;
}
