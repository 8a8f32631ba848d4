/**
 * The `pii()` options: their types, their validation (zod/mini, built on first use) and their
 * resolution into the ordered rule list the middleware scans with.
 * @module
 */
import * as z from 'zod/mini';
import { SluiceConfigError, type ConfigIssue } from '../../core/errors.js';
import { readableIssues, schemaKeys, suggest } from '../../config/issues.js';
import { compilePattern } from '../patterns.js';
import { DEFAULT_SCAN_LIMITS, type ScanLimits } from '../scan-budget.js';
import { BUILTIN_RULES, builtinDetectors, compileWordList, labelOf, maskGeneric, type BuiltinRule, type Detector } from './detectors.js';

/** What a rule does with a match. */
export type PiiMode = 'redact' | 'mask' | 'block' | 'log';

/** A rule name: a built-in one, or the `name` of a custom pattern or word list. */
export type PiiRuleName = BuiltinRule | (string & Record<never, never>);

/** A custom regex rule. */
export interface PiiPattern {
  /** The rule name, used in verdicts, events and placeholders (`order-id` → `<ORDER_ID_1>`). */
  name: string;
  /** What to find; a string is compiled with no flags. The `g` flag is added for you. */
  regex: RegExp | string;
  /** What to do with a match. @default the plugin's `mode` */
  mode?: PiiMode;
}

/** A custom list of words or phrases (names, project code words), matched on word boundaries. */
export interface PiiWordList {
  /** The rule name. */
  name: string;
  /** The words or phrases; compiled once into one regex. */
  list: readonly string[];
  /** Whether case must match. @default false */
  caseSensitive?: boolean;
  /** What to do with a match. @default the plugin's `mode` */
  mode?: PiiMode;
}

/** Options of {@link pii}. */
export interface PiiOptions {
  /** What every rule does unless `rules` says otherwise. @default 'redact' */
  mode?: PiiMode;
  /** Per-rule mode, or `false` to turn a rule off, e.g. `{ 'credit-card': 'block', ipv4: false }`. @default every built-in rule on, in `mode` */
  rules?: Partial<Record<PiiRuleName, PiiMode | false>>;
  /** Custom regex rules. @default [] */
  patterns?: readonly PiiPattern[];
  /** Custom word lists. @default [] */
  words?: readonly PiiWordList[];
  /** Put the original values back into the answer the SDK receives (JSON and streams). @default true */
  restore?: boolean;
  /**
   * Keep original values in the record: its `requestBody` is the SDK's body and a JSON answer's
   * `responseBody` the restored one. Events never carry values either way. @default false
   */
  recordOriginals?: boolean;
  /**
   * The most characters of text one call may have scanned; a request with more meets `onScanLimit`
   * without being scanned. @default 16_000_000
   */
  maxScanChars?: number;
  /**
   * How long one call's scan may take, checked between slices of 64 K characters (on the call's
   * clock); when it runs out, `onScanLimit` decides. @default 5000
   */
  maxScanMs?: number;
  /**
   * When a scan limit is exceeded: refuse the call (`block`, a 400 `sluice_pii_blocked`), or let it go
   * on (`allow`) with the values found so far handled and the rest sent as written. @default 'block'
   */
  onScanLimit?: 'block' | 'allow';
}

/** The resolved options: enabled detectors in priority order with their modes. */
export interface ResolvedPiiOptions {
  readonly detectors: readonly Detector[];
  /** `modes[i]` is what `detectors[i]` does. */
  readonly modes: readonly PiiMode[];
  readonly restore: boolean;
  readonly recordOriginals: boolean;
  /** The scan limits. */
  readonly limits: ScanLimits;
}

const MODES = ['redact', 'mask', 'block', 'log'] as const;
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const ROOT = 'pii()';

const isMode = (value: unknown): value is PiiMode => (MODES as readonly unknown[]).includes(value);
const modeList = '"redact", "mask", "block", "log"';

let schema: z.ZodMiniType | undefined;

const positive = (unit: string): z.ZodMiniType<number> =>
  z.number().check(z.refine((value) => Number.isFinite(value) && value > 0, { error: `expected a finite number of ${unit} > 0` }));

function optionsSchema(): z.ZodMiniType {
  const mode = z.custom<PiiMode>(isMode, { error: `expected one of ${modeList}` });
  const name = z.string().check(z.refine((value) => NAME.test(value), { error: 'expected a name of letters, digits, "-" or "_", starting with a letter' }));
  return z.strictObject({
    mode: z.optional(mode),
    rules: z.optional(z.record(z.string(), z.custom<PiiMode | false>((value) => value === false || isMode(value), { error: `expected ${modeList} or false` }))),
    patterns: z.optional(
      z.array(
        z.strictObject({
          name,
          regex: z.custom<RegExp | string>((value) => value instanceof RegExp || typeof value === 'string', { error: 'expected a RegExp or a string' }),
          mode: z.optional(mode),
        }),
      ),
    ),
    words: z.optional(
      z.array(z.strictObject({ name, list: z.array(z.string()), caseSensitive: z.optional(z.boolean()), mode: z.optional(mode) })),
    ),
    restore: z.optional(z.boolean()),
    recordOriginals: z.optional(z.boolean()),
    maxScanChars: z.optional(positive('characters')),
    maxScanMs: z.optional(positive('milliseconds')),
    onScanLimit: z.optional(z.custom<'block' | 'allow'>((value) => value === 'block' || value === 'allow', { error: 'expected "block" or "allow"' })),
  });
}


/**
 * Validates `pii()` options and resolves them into detectors in priority order.
 * @param input What the user passed.
 * @returns The enabled detectors and their modes.
 * @throws {SluiceConfigError} listing every problem, with paths rooted at `pii()`.
 */
export function resolvePiiOptions(input: PiiOptions | undefined): ResolvedPiiOptions {
  const raw: unknown = input ?? {};
  schema ??= optionsSchema();
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new SluiceConfigError(
      readableIssues(result.error, { root: ROOT, input: raw, knownKeys: (path) => schemaKeys(schema!, path) }),
    );
  }
  const options = raw as PiiOptions;
  const issues: ConfigIssue[] = [];
  const defaultMode = options.mode ?? 'redact';
  const rules = options.rules ?? {};

  const custom: Array<{ detector: Detector; mode: PiiMode | undefined }> = [];
  // `scan-limit` names the verdict of a call over the scan limits.
  const names = new Set<string>([...BUILTIN_RULES, 'scan-limit']);
  const labels = new Set<string>(BUILTIN_RULES.map(labelOf));
  const claim = (name: string, path: string): boolean => {
    if (names.has(name)) {
      issues.push({ path, message: `"${name}" is already a rule name; pick another` });
      return false;
    }
    if (labels.has(labelOf(name))) {
      issues.push({ path, message: `"${name}" would share the placeholder <${labelOf(name)}_n> with another rule; pick another name` });
      return false;
    }
    names.add(name);
    labels.add(labelOf(name));
    return true;
  };
  (options.patterns ?? []).forEach((pattern, index) => {
    const path = `${ROOT}.patterns[${index}]`;
    const regex = compilePattern(pattern.regex, `${path}.regex`, issues, '');
    if (!claim(pattern.name, `${path}.name`) || regex === null) return;
    custom.push({ detector: Object.freeze({ name: pattern.name, label: labelOf(pattern.name), regex, quick: null, accept: null, mask: maskGeneric }), mode: pattern.mode });
  });
  (options.words ?? []).forEach((words, index) => {
    const path = `${ROOT}.words[${index}]`;
    if (!claim(words.name, `${path}.name`)) return;
    const regex = compileWordList(words.list, words.caseSensitive ?? false);
    if (regex === null) {
      issues.push({ path: `${path}.list`, message: 'expected at least one non-empty word' });
      return;
    }
    custom.push({ detector: Object.freeze({ name: words.name, label: labelOf(words.name), regex, quick: null, accept: null, mask: maskGeneric }), mode: words.mode });
  });
  const known = [...names];
  for (const key of Object.keys(rules)) {
    if (!names.has(key)) issues.push({ path: `${ROOT}.rules.${key}`, message: `unknown rule${suggest(key, known)}` });
  }
  if (issues.length > 0) throw new SluiceConfigError(issues);

  const builtins = builtinDetectors();
  const detectors: Detector[] = [];
  const modes: PiiMode[] = [];
  const add = (detector: Detector, own: PiiMode | undefined): void => {
    const configured = rules[detector.name];
    if (configured === false) return;
    detectors.push(detector);
    modes.push(configured ?? own ?? defaultMode);
  };
  // Secrets first, then custom rules, then personal data: on a tie between overlapping matches of the same length, the first wins.
  const secretsEnd = BUILTIN_RULES.indexOf('secret') + 1;
  for (const name of BUILTIN_RULES.slice(0, secretsEnd)) add(builtins[name], undefined);
  for (const { detector, mode } of custom) add(detector, mode);
  for (const name of BUILTIN_RULES.slice(secretsEnd)) add(builtins[name], undefined);
  return Object.freeze({
    detectors: Object.freeze(detectors),
    modes: Object.freeze(modes),
    restore: options.restore ?? true,
    recordOriginals: options.recordOriginals ?? false,
    limits: Object.freeze({
      maxScanChars: options.maxScanChars ?? DEFAULT_SCAN_LIMITS.maxScanChars,
      maxScanMs: options.maxScanMs ?? DEFAULT_SCAN_LIMITS.maxScanMs,
      onScanLimit: options.onScanLimit ?? DEFAULT_SCAN_LIMITS.onScanLimit,
    }),
  });
}
