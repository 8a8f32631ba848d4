/**
 * One call's PII scan: finds matches in each text (reading past invisible characters such as
 * zero-width spaces), numbers placeholders per distinct value, and produces two texts per field: the
 * one sent upstream (redact and mask applied) and the one recorded (every match hidden, so `log` and
 * `block` values never reach a record either).
 * @module
 */
import { SCAN_SLICE_CHARS, yieldToEventLoop } from '../scan-budget.js';
import type { Match } from './detectors.js';
import type { PiiMode, ResolvedPiiOptions } from './options.js';
import { findMatches, TextScan } from './scan.js';

/** Where a blocked value was found, without the value. */
export interface BlockedSite {
  rule: string;
  path: string;
}

/** At most this many places are named in a block message. */
const MAX_SITES = 5;

/** Characters that do not show but break a value apart (`jane\u200B@example.com`): detection reads past them. */
const INVISIBLE = /[\u00AD\u200B-\u200D\u2060-\u2064\uFEFF\u202A-\u202E\u2066-\u2069]/;
const INVISIBLE_ALL = /[\u00AD\u200B-\u200D\u2060-\u2064\uFEFF\u202A-\u202E\u2066-\u2069]/g;

/** The text without invisible characters, and where each of its characters sits in the original. */
function withoutInvisible(text: string): { text: string; offsets: number[] } {
  const offsets: number[] = [];
  let out = '';
  let position = 0;
  INVISIBLE_ALL.lastIndex = 0;
  for (let match = INVISIBLE_ALL.exec(text); match !== null; match = INVISIBLE_ALL.exec(text)) {
    for (let index = position; index < match.index; index++) offsets.push(index);
    out += text.slice(position, match.index);
    position = match.index + 1;
  }
  for (let index = position; index < text.length; index++) offsets.push(index);
  return { text: out + text.slice(position), offsets };
}

/** One text's scan done ahead of the rewrite: its matches, in the text without invisible characters. */
interface Prepared {
  visible: { text: string; offsets: number[] } | null;
  matches: readonly Match[];
}

/** How a scan ahead of the rewrite ended: every text scanned, or out of time (the rest is not scanned). */
export type PrepareOutcome = 'done' | 'time';

/** Placeholder-shaped strings (`<EMAIL_1>`) in a text: one pass, however many placeholders a call makes. */
function placeholdersIn(text: string): Set<string> {
  const found = new Set<string>();
  if (!text.includes('<')) return found;
  const shape = /<[A-Z0-9_]{1,80}>/g;
  for (let match = shape.exec(text); match !== null; match = shape.exec(text)) {
    if (/_\d+>$/.test(match[0])) found.add(match[0]);
  }
  return found;
}

/** The scan of one call. */
export class PiiScan {
  /** Placeholder → original, for `redact` rules only: what restoration puts back. */
  readonly placeholders = new Map<string, string>();
  /** Matches per detector, in the options' order. */
  readonly counts: number[];
  /** The first places a `block` rule matched. */
  readonly blocked: BlockedSite[] = [];
  /** Every `block` match, named or not. */
  blockedTotal = 0;
  /** Whether any rule matched. */
  matched = false;

  readonly #options: ResolvedPiiOptions;
  readonly #bodyText: string;
  /** Placeholder-shaped strings already in the body, read once when the first placeholder is made. */
  #written: Set<string> | null = null;
  /** Label → value → placeholder, for every mode (recorded texts number `log` and `block` values too). */
  readonly #byValue = new Map<string, Map<string, string>>();
  /** Whether a rule records something other than what it sends (`log`, `block`): only then is a second text built. */
  readonly #hasRecordOnly: boolean;
  readonly #nextNumber = new Map<string, number>();
  /** Original text → recorded text, for every text with a match. */
  readonly #recorded = new Map<string, string>();
  #recordDiffers = false;
  /** Texts scanned ahead by {@link prepare}; when set, a text not in it is sent as written. */
  #prepared: Map<string, Prepared> | null = null;

  /**
   * @param options The resolved plugin options.
   * @param bodyText The request body text, so placeholders never collide with text already in it.
   */
  constructor(options: ResolvedPiiOptions, bodyText: string | null) {
    this.#options = options;
    this.#bodyText = bodyText ?? '';
    this.counts = options.detectors.map(() => 0);
    this.#hasRecordOnly = options.modes.some((mode) => mode === 'log' || mode === 'block');
  }

  /** Whether the recorded body differs from the sent one (a `log` or `block` rule matched). */
  get hasRecordedChanges(): boolean {
    return this.#recordDiffers;
  }

  /**
   * Scans texts ahead of the rewrite, in slices of {@link SCAN_SLICE_CHARS} characters, letting the
   * event loop run between slices and stopping when `maxScanMs` has passed on the call's clock. After
   * it, {@link visit} uses these scans, and sends a text that was not scanned as written.
   * @param texts The call's texts.
   * @param now The call's clock.
   * @param startedMs When the scan started, on that clock.
   * @returns `'time'` when the time ran out before every text was scanned.
   */
  async prepare(texts: readonly string[], now: () => number, startedMs: number): Promise<PrepareOutcome> {
    const prepared = (this.#prepared = new Map());
    const { detectors, limits } = this.#options;
    let sinceYield = 0;
    for (const text of texts) {
      if (prepared.has(text)) continue;
      const visible = INVISIBLE.test(text) ? withoutInvisible(text) : null;
      const scan = new TextScan(visible === null ? text : visible.text, detectors);
      while (!scan.done) {
        const before = scan.scanned;
        scan.scanSlice(SCAN_SLICE_CHARS);
        sinceYield += scan.scanned - before;
        if (sinceYield >= SCAN_SLICE_CHARS) {
          await yieldToEventLoop();
          sinceYield = 0;
        }
        if (now() - startedMs > limits.maxScanMs) {
          // What was found so far is kept: `allow` still handles those values.
          prepared.set(text, { visible, matches: scan.matches() });
          return 'time';
        }
      }
      prepared.set(text, { visible, matches: scan.matches() });
    }
    return 'done';
  }

  /** Marks the call as not scanned at all: {@link visit} then sends every text as written. */
  skipAll(): void {
    this.#prepared = new Map();
  }

  /**
   * Scans one text (or takes its scan from {@link prepare}) and returns the text to send. A text
   * visitor for `mapTextFields`.
   * @param text The text.
   * @param path Where it is, for block messages.
   */
  readonly visit = (text: string, path: string): string => {
    const { detectors, modes } = this.#options;
    let visible: Prepared['visible'];
    let matches: readonly Match[];
    if (this.#prepared === null) {
      visible = INVISIBLE.test(text) ? withoutInvisible(text) : null;
      matches = findMatches(visible === null ? text : visible.text, detectors);
    } else {
      const prepared = this.#prepared.get(text);
      if (prepared === undefined) return text;
      ({ visible, matches } = prepared);
    }
    const scanned = visible === null ? text : visible.text;
    if (matches.length === 0) return text;
    this.matched = true;
    let sent = '';
    let recorded = '';
    let differs = false;
    let position = 0;
    for (const match of matches) {
      const detector = detectors[match.rule]!;
      const mode: PiiMode = modes[match.rule]!;
      // The span as written, invisible characters included: what `log` sends and restoration puts back.
      const start = visible === null ? match.start : visible.offsets[match.start]!;
      const end = visible === null ? match.end : visible.offsets[match.end - 1]! + 1;
      const written = text.slice(start, end);
      const between = text.slice(position, start);
      this.counts[match.rule]!++;
      let sentValue: string;
      let recordedValue: string;
      switch (mode) {
        case 'redact':
          sentValue = recordedValue = this.#placeholder(detector.label, written, true);
          break;
        case 'mask':
          // The mask reads the value as a person reads it (without invisible characters).
          sentValue = recordedValue = detector.mask(scanned.slice(match.start, match.end));
          break;
        case 'block':
          this.blockedTotal++;
          if (this.blocked.length < MAX_SITES && !this.blocked.some((site) => site.rule === detector.name && site.path === path)) {
            this.blocked.push({ rule: detector.name, path });
          }
          sentValue = written;
          recordedValue = this.#placeholder(detector.label, written, false);
          differs = true;
          break;
        case 'log':
          sentValue = written;
          recordedValue = this.#placeholder(detector.label, written, false);
          differs = true;
          break;
      }
      sent += between + sentValue;
      if (this.#hasRecordOnly) recorded += between + recordedValue;
      position = end;
    }
    const rest = text.slice(position);
    sent += rest;
    if (this.#hasRecordOnly) recorded += rest;
    this.#recorded.set(text, this.#hasRecordOnly ? recorded : sent);
    if (differs) this.#recordDiffers = true;
    return sent;
  };

  /**
   * The text to record for an original text (a visitor for the second, record-only pass).
   * @param text An original text.
   */
  readonly recordedText = (text: string): string => this.#recorded.get(text) ?? text;

  /** The placeholder for a value as written: the same written value gets the same one within the call. */
  #placeholder(label: string, value: string, restorable: boolean): string {
    let byValue = this.#byValue.get(label);
    if (byValue === undefined) this.#byValue.set(label, (byValue = new Map()));
    let placeholder = byValue.get(value);
    if (placeholder === undefined) {
      let number = this.#nextNumber.get(label) ?? 1;
      // A placeholder already written in the request would restore to the wrong text.
      const written = (this.#written ??= placeholdersIn(this.#bodyText));
      while (written.has(`<${label}_${number}>`)) number++;
      placeholder = `<${label}_${number}>`;
      this.#nextNumber.set(label, number + 1);
      byValue.set(value, placeholder);
      // A label belongs to one rule, so to one mode: a placeholder is restorable from its first use or never.
      if (restorable) this.placeholders.set(placeholder, value);
    }
    return placeholder;
  }
}
