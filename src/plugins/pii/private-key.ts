/**
 * The `private-key` rule's scanner, written by hand so that a scan is linear in the text. The regex
 * it replaces, `BEGIN(?:[\s\S]{0,16384}?END|[base64\s]{0,16384})`, looked for an `END` line up to 16 K
 * characters ahead of every `BEGIN` line: a text made of `BEGIN` lines cost 16 K steps per line
 * (1 MB: about 3 s). Here the next valid `END` line is found once, moving forward only, and shared by
 * every `BEGIN` before it; each character is read a bounded number of times.
 * @module
 */

/** How far after its `BEGIN` line a block's `END` line may start, and how much base64 a cut block keeps. */
export const PRIVATE_KEY_SPAN = 16_384;

/** The armour lines; sticky, so each is tried at one position only. */
const HEADER = /-----BEGIN (?:[A-Z0-9]+ ){0,4}PRIVATE KEY-----/y;
const FOOTER = /-----END (?:[A-Z0-9]+ ){0,4}PRIVATE KEY-----/y;
/** The base64 body of a block whose `END` line is missing or too far (greedy and bounded: no backtracking). */
const BODY = /[A-Za-z0-9+/=\s]{0,16384}/y;

/** Finds the next match starting at or after `from`: `[start, end]`, or `null` when there is none. */
export type SpanFinder = (from: number) => readonly [number, number] | null;

/**
 * Starts a scan of one text for private-key blocks. Calls must come with non-decreasing `from`
 * (a scan moves forward), which is what lets the `END` line found for one `BEGIN` serve the next.
 * @param text The text.
 * @returns The finder: the whole block when its `END` line starts within {@link PRIVATE_KEY_SPAN}
 * characters of the `BEGIN` line's end, otherwise the `BEGIN` line and the base64 after it.
 */
export function privateKeyFinder(text: string): SpanFinder {
  /** No valid `END` line starts in `[footerFrom, footerStart)`; `footerStart` -1: none at all from `footerFrom`. */
  let footerFrom = -1;
  let footerStart = -1;
  let footerEnd = -1;

  const nextFooter = (from: number): void => {
    if (footerFrom !== -1 && from >= footerFrom && (footerStart === -1 || from <= footerStart)) return;
    footerFrom = from;
    footerStart = -1;
    for (let at = text.indexOf('-----END ', from); at !== -1; at = text.indexOf('-----END ', at + 1)) {
      FOOTER.lastIndex = at;
      if (FOOTER.test(text)) {
        footerStart = at;
        footerEnd = FOOTER.lastIndex;
        return;
      }
    }
  };

  return (from) => {
    for (let at = text.indexOf('-----BEGIN ', from); at !== -1; at = text.indexOf('-----BEGIN ', at + 1)) {
      HEADER.lastIndex = at;
      if (!HEADER.test(text)) continue;
      const bodyStart = HEADER.lastIndex;
      nextFooter(bodyStart);
      if (footerStart !== -1 && footerStart - bodyStart <= PRIVATE_KEY_SPAN) return [at, footerEnd];
      BODY.lastIndex = bodyStart;
      BODY.test(text);
      return [at, BODY.lastIndex];
    }
    return null;
  };
}
