/**
 * The `guard()` options: their types, their validation (zod/mini, built on first use) and their
 * resolution into compiled rules.
 * @module
 */
import * as z from 'zod/mini';
import { SluiceConfigError, type ConfigIssue } from '../../core/errors.js';
import { readableIssues, schemaKeys, suggest } from '../../config/issues.js';
import { compilePattern } from '../patterns.js';
import { DEFAULT_SCAN_LIMITS, type ScanLimits } from '../scan-budget.js';
import type { Dialect } from '../../events/record.js';
import type { TextRole } from '../text-fields.js';
import { builtinPhraseRules, compileKeywords } from './rules.js';

/** What a rule does with a match: refuse the call (400), or only record a verdict. */
export type GuardMode = 'block' | 'log';

/** A built-in rule name. */
export type GuardBuiltinRule = 'prompt-injection' | 'jailbreak' | 'hidden-unicode';

/** A message role the guard can scan. */
export type GuardRole = TextRole;

/** A list of words or phrases to refuse or flag, matched on word boundaries. */
export interface GuardKeywords {
  /** The rule name, used in verdicts, events and block messages. */
  name: string;
  /** The words or phrases; compiled once into one regex. */
  list: readonly string[];
  /** What to do with a match. @default the plugin's `mode` */
  mode?: GuardMode;
  /** Whether case must match. @default false */
  caseSensitive?: boolean;
}

/** A regex content rule. */
export interface GuardPattern {
  /** The rule name. */
  name: string;
  /** What to find; a string is compiled with the `u` flag. The `g` flag is added for you. */
  regex: RegExp | string;
  /** What to do with a match. @default the plugin's `mode` */
  mode?: GuardMode;
}

/** What a custom check decides. */
export type GuardDecision = { action: 'allow' } | { action: 'block'; reason: string };

/** What a custom check sees: the scanned texts and who is calling, not the context. */
export interface GuardCheckInput {
  /** The SDK's dialect. */
  readonly dialect: Dialect;
  /** The model the SDK asked for. */
  readonly model: string | null;
  /** The texts of the scanned roles, in order (hidden characters already removed when `hidden-unicode` redacts). */
  readonly texts: readonly string[];
  /** The end user, when known. */
  readonly user: string | null;
  /** The call's tags. */
  readonly tags: readonly string[];
}

/** A custom check: a moderation API, a classifier, your own rules. */
export type GuardCheck = (input: GuardCheckInput) => GuardDecision | Promise<GuardDecision>;

/** Options of {@link guard}. */
export interface GuardOptions {
  /** What the heuristics and content rules do unless `rules` or the rule says otherwise. @default 'block' */
  mode?: GuardMode;
  /**
   * Per-rule mode or `false` to turn a rule off; `hidden-unicode` also takes `'redact'` (strip the
   * characters and let the call through). @default { 'prompt-injection': mode, jailbreak: mode, 'hidden-unicode': 'redact' }
   */
  rules?: Partial<Record<GuardBuiltinRule | (string & Record<never, never>), GuardMode | 'redact' | false>>;
  /** Word lists to refuse or flag. @default [] */
  keywords?: readonly GuardKeywords[];
  /** Regex content rules. @default [] */
  patterns?: readonly GuardPattern[];
  /** Whose texts are scanned; system prompts are the developer's own. @default ['user', 'tool'] */
  scan?: readonly GuardRole[];
  /** A custom check, run after the rules when none blocked. */
  check?: GuardCheck;
  /** How long `check` may take. @default 2000 */
  timeoutMs?: number;
  /** What to do when `check` times out or throws: fail closed (`block`) or open (`allow`). @default 'block' */
  onTimeout?: 'allow' | 'block';
  /** The most characters of text one call may have scanned; more meets `onScanLimit` unscanned. @default 16_000_000 */
  maxScanChars?: number;
  /** How long one call's rule scan may take, checked between steps (on the call's clock). @default 5000 */
  maxScanMs?: number;
  /** When a scan limit is exceeded: refuse the call (`block`, a 400), or let it go on partly scanned (`allow`). @default 'block' */
  onScanLimit?: 'block' | 'allow';
}

/** One compiled phrase or content rule. */
export interface CompiledRule {
  readonly name: string;
  readonly regex: RegExp;
  readonly mode: GuardMode;
}

/** The resolved options. */
export interface ResolvedGuardOptions {
  /** Phrase and content rules, in order: prompt-injection, jailbreak, keywords, patterns. */
  readonly rules: readonly CompiledRule[];
  /** What `hidden-unicode` does, or `false`. */
  readonly hidden: GuardMode | 'redact' | false;
  readonly roles: ReadonlySet<GuardRole>;
  readonly check: GuardCheck | null;
  readonly timeoutMs: number;
  readonly onTimeout: 'allow' | 'block';
  /** The scan limits. */
  readonly limits: ScanLimits;
}

const ROOT = 'guard()';
const MODES = ['block', 'log'] as const;
const ROLES = ['user', 'tool', 'system', 'assistant'] as const;
const BUILTINS: readonly GuardBuiltinRule[] = ['prompt-injection', 'jailbreak', 'hidden-unicode'];
/** Reserved: the verdict of a call over the scan limits. */
const SCAN_LIMIT = 'scan-limit';
const NAME = /^[A-Za-z][A-Za-z0-9_-]{0,63}$/;
const isMode = (value: unknown): value is GuardMode => (MODES as readonly unknown[]).includes(value);

let schema: z.ZodMiniType | undefined;

const positive = (unit: string): z.ZodMiniType<number> =>
  z.number().check(z.refine((value) => Number.isFinite(value) && value > 0, { error: `expected a finite number of ${unit} > 0` }));

function optionsSchema(): z.ZodMiniType {
  const mode = z.custom<GuardMode>(isMode, { error: 'expected "block" or "log"' });
  const name = z.string().check(z.refine((value) => NAME.test(value), { error: 'expected a name of letters, digits, "-" or "_", starting with a letter' }));
  return z.strictObject({
    mode: z.optional(mode),
    rules: z.optional(
      z.record(z.string(), z.custom<GuardMode | 'redact' | false>((value) => value === false || value === 'redact' || isMode(value), { error: 'expected "block", "log" or false' })),
    ),
    keywords: z.optional(z.array(z.strictObject({ name, list: z.array(z.string()), mode: z.optional(mode), caseSensitive: z.optional(z.boolean()) }))),
    patterns: z.optional(
      z.array(
        z.strictObject({
          name,
          regex: z.custom<RegExp | string>((value) => value instanceof RegExp || typeof value === 'string', { error: 'expected a RegExp or a string' }),
          mode: z.optional(mode),
        }),
      ),
    ),
    scan: z.optional(z.array(z.custom<GuardRole>((value) => (ROLES as readonly unknown[]).includes(value), { error: `expected one of ${ROLES.map((role) => `"${role}"`).join(', ')}` }))),
    check: z.optional(z.custom<GuardCheck>((value) => typeof value === 'function', { error: 'expected a function (input) => GuardDecision | Promise<GuardDecision>' })),
    timeoutMs: z.optional(z.number().check(z.refine((value) => Number.isFinite(value) && value > 0, { error: 'expected a finite number of milliseconds > 0' }))),
    onTimeout: z.optional(z.custom<'allow' | 'block'>((value) => value === 'allow' || value === 'block', { error: 'expected "allow" or "block"' })),
    maxScanChars: z.optional(positive('characters')),
    maxScanMs: z.optional(positive('milliseconds')),
    onScanLimit: z.optional(z.custom<'block' | 'allow'>((value) => value === 'block' || value === 'allow', { error: 'expected "block" or "allow"' })),
  });
}


/**
 * Validates `guard()` options and compiles its rules.
 * @param input What the user passed.
 * @returns The compiled rules and settings.
 * @throws {SluiceConfigError} listing every problem, with paths rooted at `guard()`.
 */
export function resolveGuardOptions(input: GuardOptions | undefined): ResolvedGuardOptions {
  const raw: unknown = input ?? {};
  schema ??= optionsSchema();
  const result = schema.safeParse(raw);
  if (!result.success) {
    throw new SluiceConfigError(
      readableIssues(result.error, { root: ROOT, input: raw, knownKeys: (path) => schemaKeys(schema!, path) }),
    );
  }
  const options = raw as GuardOptions;
  const issues: ConfigIssue[] = [];
  const mode = options.mode ?? 'block';
  const rules = options.rules ?? {};
  const names = new Set<string>([...BUILTINS, SCAN_LIMIT]);
  const claim = (name: string, path: string): boolean => {
    if (names.has(name)) {
      issues.push({ path, message: `"${name}" is already a rule name; pick another` });
      return false;
    }
    names.add(name);
    return true;
  };
  const custom: CompiledRule[] = [];
  const modeOf = (name: string, own: GuardMode | undefined): GuardMode | false => {
    const configured = rules[name];
    return configured === 'redact' ? mode : (configured ?? own ?? mode);
  };
  (options.keywords ?? []).forEach((keywords, index) => {
    const path = `${ROOT}.keywords[${index}]`;
    if (!claim(keywords.name, `${path}.name`)) return;
    const regex = compileKeywords(keywords.list, keywords.caseSensitive ?? false);
    if (regex === null) issues.push({ path: `${path}.list`, message: 'expected at least one non-empty word' });
    const resolved = modeOf(keywords.name, keywords.mode);
    if (regex !== null && resolved !== false) custom.push({ name: keywords.name, regex, mode: resolved });
  });
  (options.patterns ?? []).forEach((pattern, index) => {
    const path = `${ROOT}.patterns[${index}]`;
    const regex = compilePattern(pattern.regex, `${path}.regex`, issues, 'u');
    if (!claim(pattern.name, `${path}.name`)) return;
    const resolved = modeOf(pattern.name, pattern.mode);
    if (regex !== null && resolved !== false) custom.push({ name: pattern.name, regex, mode: resolved });
  });
  for (const [key, value] of Object.entries(rules)) {
    if (!names.has(key)) issues.push({ path: `${ROOT}.rules.${key}`, message: `unknown rule${suggest(key, [...names])}` });
    else if (value === 'redact' && key !== 'hidden-unicode') issues.push({ path: `${ROOT}.rules.${key}`, message: '"redact" applies to hidden-unicode only; expected "block", "log" or false' });
  }
  if (options.scan !== undefined && options.scan.length === 0) issues.push({ path: `${ROOT}.scan`, message: 'expected at least one role; remove guard() to scan nothing' });
  if (issues.length > 0) throw new SluiceConfigError(issues);

  const phrases = builtinPhraseRules();
  const compiled: CompiledRule[] = [];
  for (const name of ['prompt-injection', 'jailbreak'] as const) {
    const resolved = modeOf(name, undefined);
    if (resolved !== false) compiled.push({ name, regex: phrases[name], mode: resolved });
  }
  compiled.push(...custom);
  return Object.freeze({
    rules: Object.freeze(compiled),
    hidden: rules['hidden-unicode'] ?? 'redact',
    roles: new Set<GuardRole>(options.scan ?? ['user', 'tool']),
    check: options.check ?? null,
    timeoutMs: options.timeoutMs ?? 2000,
    onTimeout: options.onTimeout ?? 'block',
    limits: Object.freeze({
      maxScanChars: options.maxScanChars ?? DEFAULT_SCAN_LIMITS.maxScanChars,
      maxScanMs: options.maxScanMs ?? DEFAULT_SCAN_LIMITS.maxScanMs,
      onScanLimit: options.onScanLimit ?? DEFAULT_SCAN_LIMITS.onScanLimit,
    }),
  });
}
