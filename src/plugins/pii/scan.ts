/**
 * Runs detectors over one text, whole or in slices. A slice is scanned by every detector, each
 * reading at most its `reach` past the slice, and keeps only matches that start inside it: the
 * matches are the same as a scan of the whole text (the property tests compare both), and the
 * caller can stop between slices to yield to the event loop or to check a time budget.
 * Overlaps are resolved at the end: the longer match wins, then the earlier detector.
 * @module
 */
import { hasDigit, type Detector, type Match } from './detectors.js';
import type { SpanFinder } from './private-key.js';

/** The widest reach among the rules whose cheap test is a digit (`phone`: 80). */
const NUMBER_REACH = 128;
/** Characters read before a slice, for the rules' one-character lookbehinds. */
const LOOKBEHIND = 2;
/** Above this many matches, overlaps are resolved with a map of taken characters (linear) instead of a sorted list. */
const MANY_MATCHES = 64;

const NO_MATCHES: readonly Match[] = Object.freeze([]);

/** The scan of one text by a list of detectors, advanced one slice at a time. */
export class TextScan {
  /** The text scanned. */
  readonly text: string;
  readonly #detectors: readonly Detector[];
  /** Where each detector's next search starts. */
  readonly #positions: number[];
  /** A finder's match found past the last slice, kept for the slice it starts in. */
  readonly #pending: Array<readonly [number, number] | null>;
  readonly #finders: Array<SpanFinder | null>;
  #offset = 0;
  #found: Match[] | null = null;

  /**
   * @param text The text.
   * @param detectors The enabled detectors, in priority order.
   */
  constructor(text: string, detectors: readonly Detector[]) {
    this.text = text;
    this.#detectors = detectors;
    this.#positions = detectors.map(() => 0);
    this.#pending = detectors.map(() => null);
    this.#finders = detectors.map(() => null);
  }

  /** Whether the whole text has been scanned. */
  get done(): boolean {
    return this.#offset >= this.text.length;
  }

  /** How many characters have been scanned. */
  get scanned(): number {
    return Math.min(this.#offset, this.text.length);
  }

  /**
   * Scans the next slice with every detector. Rules without a `reach` read the rest of the text in the
   * first slice.
   * @param size The slice's length; `Infinity` scans the rest of the text.
   */
  scanSlice(size: number): void {
    const text = this.text;
    const sliceStart = this.#offset;
    const sliceEnd = Math.min(text.length, sliceStart + size);
    const whole = sliceStart === 0 && sliceEnd === text.length;
    // The number rules share one test for a digit, over the widest text any of them reads in this slice.
    let digits: boolean | null = null;
    const hasDigits = (): boolean =>
      (digits ??= whole ? hasDigit(text) : hasDigit(text.slice(Math.max(0, sliceStart - LOOKBEHIND), Math.min(text.length, sliceEnd + NUMBER_REACH))));
    for (let rule = 0; rule < this.#detectors.length; rule++) {
      const detector = this.#detectors[rule]!;
      const from = this.#positions[rule]!;
      if (from >= sliceEnd) continue;
      if (detector.finder !== undefined) {
        this.#scanFinder(rule, detector, sliceEnd, whole);
        continue;
      }
      // A rule of unknown reach reads the rest of the text at once.
      const end = detector.reach === undefined || sliceEnd === text.length ? text.length : Math.min(text.length, sliceEnd + detector.reach);
      const limit = detector.reach === undefined ? text.length : sliceEnd;
      const readFrom = Math.max(0, from - LOOKBEHIND);
      const part = readFrom === 0 && end === text.length ? text : text.slice(readFrom, end);
      if (detector.quick !== null && (detector.quick === hasDigit && (detector.reach ?? Infinity) <= NUMBER_REACH ? !hasDigits() : !detector.quick(part))) {
        this.#positions[rule] = limit;
        continue;
      }
      this.#positions[rule] = this.#scanRegex(rule, detector, part, readFrom, from - readFrom, limit);
    }
    this.#offset = sliceEnd;
  }

  /** One detector's regex over `part` (which starts at `base` in the text); returns where its next search starts. */
  #scanRegex(rule: number, detector: Detector, part: string, base: number, from: number, limit: number): number {
    const regex = detector.regex;
    const seek = detector.seek;
    regex.lastIndex = from;
    for (;;) {
      // Past a rejected candidate that crossed `limit`, the next slice resumes after it, as a whole scan would.
      const resume = Math.max(limit, base + regex.lastIndex);
      if (seek !== undefined) {
        const next = seek(part, regex.lastIndex);
        if (next === -1) return resume;
        regex.lastIndex = next;
      }
      const match = regex.exec(part);
      // A failed exec read to the end of the part: no match starts before `limit`.
      if (match === null || base + match.index >= limit) return resume;
      if (match[0].length === 0) {
        regex.lastIndex++;
        continue;
      }
      const span = detector.accept === null ? null : detector.accept(match);
      if (detector.accept !== null && span === null) continue;
      const start = match.index + (span === null ? 0 : span[0]);
      const end = match.index + (span === null ? match[0].length : span[1]);
      if (end <= start) continue;
      (this.#found ??= []).push({ start: base + start, end: base + end, rule });
      // A narrowed match leaves text that another candidate may start in.
      if (end < match.index + match[0].length) regex.lastIndex = end;
      if (base + regex.lastIndex >= limit) return base + regex.lastIndex;
    }
  }

  #scanFinder(rule: number, detector: Detector, limit: number, whole: boolean): void {
    let finder = this.#finders[rule]!;
    if (finder === null) {
      if (detector.quick !== null && !detector.quick(this.text)) {
        this.#positions[rule] = this.text.length;
        return;
      }
      finder = this.#finders[rule] = detector.finder!(this.text);
    }
    let span = this.#pending[rule] ?? finder(this.#positions[rule]!);
    while (span !== null && (whole || span[0] < limit)) {
      (this.#found ??= []).push({ start: span[0], end: span[1], rule });
      span = finder(span[1]);
    }
    this.#pending[rule] = span;
    this.#positions[rule] = span === null ? this.text.length : Math.max(limit, this.#positions[rule]!);
  }

  /**
   * The matches found so far, overlaps resolved: the longer match wins, then the earlier detector.
   * @returns Non-overlapping matches sorted by position (a shared empty array when there are none).
   */
  matches(): readonly Match[] {
    const found = this.#found;
    if (found === null) return NO_MATCHES;
    if (found.length === 1) return found;
    return resolveOverlaps(found.slice(), this.text.length);
  }
}

function resolveOverlaps(found: Match[], textLength: number): Match[] {
  // Usually one rule matched, or none of the matches touch: already in order, nothing to resolve.
  let ordered = true;
  for (let index = 1; index < found.length && ordered; index++) ordered = found[index - 1]!.end <= found[index]!.start;
  if (ordered) return found;
  found.sort((a, b) => b.end - b.start - (a.end - a.start) || a.rule - b.rule || a.start - b.start);
  const kept: Match[] = [];
  if (found.length > MANY_MATCHES) {
    // Each detector's matches do not overlap one another, so this reads each character at most once per detector.
    const taken = new Uint8Array(textLength);
    next: for (const candidate of found) {
      for (let index = candidate.start; index < candidate.end; index++) if (taken[index] === 1) continue next;
      taken.fill(1, candidate.start, candidate.end);
      kept.push(candidate);
    }
    return kept.sort((a, b) => a.start - b.start);
  }
  // `kept` stays sorted by start; a binary search finds the neighbours a candidate could overlap.
  for (const candidate of found) {
    let low = 0;
    let high = kept.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if (kept[middle]!.start < candidate.start) low = middle + 1;
      else high = middle;
    }
    const before = kept[low - 1];
    const after = kept[low];
    if ((before === undefined || before.end <= candidate.start) && (after === undefined || candidate.end <= after.start)) kept.splice(low, 0, candidate);
  }
  return kept;
}

/**
 * Runs detectors over one whole text and resolves overlaps: the longer match wins, then the earlier detector.
 * @param text The text to scan.
 * @param detectors The enabled detectors, in priority order.
 * @returns Non-overlapping matches sorted by position (a shared empty array when there are none).
 */
export function findMatches(text: string, detectors: readonly Detector[]): readonly Match[] {
  const scan = new TextScan(text, detectors);
  scan.scanSlice(Infinity);
  return scan.matches();
}
