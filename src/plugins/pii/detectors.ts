/**
 * The built-in PII and secret detectors: each one compiled regex (bounded quantifiers only, so a scan
 * is linear in the text; `private-key` is a hand-written scanner), an optional validator (Luhn, IBAN mod-97, SSN ranges, entropy) and a mask
 * that keeps the value's shape. `scan.ts` runs them over a text.
 * @module
 */
import { privateKeyFinder, type SpanFinder } from './private-key.js';

/**
 * One detector: finds candidates with `regex` (or `finder`), confirms them with `accept`, masks them
 * with `mask`.
 */
export interface Detector {
  /** The rule name (`email`, `credit-card`, a custom rule's name). */
  readonly name: string;
  /** The placeholder label: `<LABEL_1>`. */
  readonly label: string;
  /** A global regex; scanning resets `lastIndex`. Unused when `finder` is set. */
  readonly regex: RegExp;
  /**
   * A hand-written scanner used instead of `regex` when a regex cannot be linear: called once per
   * text, it returns the function that finds the next match at or after a position.
   */
  readonly finder?: (text: string) => SpanFinder;
  /** A cheap test that rules the regex out for most texts; `null` when there is none. */
  readonly quick: ((text: string) => boolean) | null;
  /**
   * Confirms a candidate and narrows it: returns `[start, end]` relative to the match, or `null` to reject.
   * `null` (the property) accepts every candidate whole.
   */
  readonly accept: ((match: RegExpExecArray) => readonly [number, number] | null) | null;
  /** The shape-keeping replacement used by `mask` mode. */
  readonly mask: (value: string) => string;
  /**
   * Where a match could next start at or after `from`, or -1 when none can: lets a detector anchored
   * on one character (`@` for emails) skip the text between candidates instead of trying every position.
   */
  readonly seek?: (text: string, from: number) => number;
  /**
   * The most characters, from where a match starts, that decide it (the match and its lookahead): a
   * scan in slices reads this far past a slice. Absent: the rule reads each text whole, in one step.
   */
  readonly reach?: number;
}

/** A confirmed match in a text. */
export interface Match {
  start: number;
  end: number;
  /** Index of the detector in the list scanned (lower wins a tie). */
  rule: number;
}

/** Tells whether a text holds an ASCII digit (the cheap test of the number rules). */
export const hasDigit = (text: string): boolean => /\d/.test(text);

// ---------------------------------------------------------------------------------------------
// Validators

/**
 * Tells whether a digit string passes the Luhn checksum (credit cards).
 * @param digits Digits only.
 */
export function luhnValid(digits: string): boolean {
  let sum = 0;
  let double = false;
  for (let index = digits.length - 1; index >= 0; index--) {
    let digit = digits.charCodeAt(index) - 48;
    if (double) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
    double = !double;
  }
  return sum % 10 === 0;
}

/** IBAN lengths by country, from the SWIFT IBAN registry. */
export const IBAN_LENGTHS: Readonly<Record<string, number>> = {
  AD: 24, AE: 23, AL: 28, AT: 20, AZ: 28, BA: 20, BE: 16, BG: 22, BH: 22, BI: 27, BR: 29, BY: 28, CH: 21,
  CR: 22, CY: 28, CZ: 24, DE: 22, DJ: 27, DK: 18, DO: 28, EE: 20, EG: 29, ES: 24, FI: 18, FK: 18, FO: 18,
  FR: 27, GB: 22, GE: 22, GI: 23, GL: 18, GR: 27, GT: 28, HR: 21, HU: 28, IE: 22, IL: 23, IQ: 23, IS: 26,
  IT: 27, JO: 30, KW: 30, KZ: 20, LB: 28, LC: 32, LI: 21, LT: 20, LU: 20, LV: 21, LY: 25, MC: 27, MD: 24,
  ME: 22, MK: 19, MN: 20, MR: 27, MT: 31, MU: 30, NI: 28, NL: 18, NO: 15, OM: 23, PK: 24, PL: 28, PS: 29,
  PT: 25, QA: 29, RO: 24, RS: 22, RU: 33, SA: 24, SC: 31, SD: 18, SE: 24, SI: 19, SK: 24, SM: 27, SO: 23,
  ST: 25, SV: 28, TL: 23, TN: 24, TR: 26, UA: 29, VA: 22, VG: 24, XK: 20, YE: 30,
};

/**
 * Computes an IBAN's remainder mod 97 after moving its first four characters to the end (ISO 13616);
 * a valid IBAN gives 1.
 * @param iban Letters and digits only, upper case.
 */
export function ibanRemainder(iban: string): number {
  const rearranged = iban.slice(4) + iban.slice(0, 4);
  let remainder = 0;
  for (let index = 0; index < rearranged.length; index++) {
    const code = rearranged.charCodeAt(index);
    // Letters count as two digits (A = 10 ... Z = 35).
    if (code >= 65 && code <= 90) remainder = (remainder * 100 + (code - 55)) % 97;
    else remainder = (remainder * 10 + (code - 48)) % 97;
  }
  return remainder;
}

/**
 * Shannon entropy in bits per character, to tell a secret from a word.
 * @param text Any text.
 */
export function entropy(text: string): number {
  const counts = new Map<string, number>();
  for (const char of text) counts.set(char, (counts.get(char) ?? 0) + 1);
  let bits = 0;
  for (const count of counts.values()) {
    const p = count / text.length;
    bits -= p * Math.log2(p);
  }
  return bits;
}

/** How many `:`-separated groups of 1–4 hex digits `text[start, end)` holds (0 when empty), or -1 when it is not such a list. */
function hexGroups(text: string, start: number, end: number): number {
  if (start === end) return 0;
  let groups = 1;
  let digits = 0;
  for (let index = start; index < end; index++) {
    const code = text.charCodeAt(index) | 0x20;
    if (code === 0x3a) {
      if (digits === 0) return -1;
      groups++;
      digits = 0;
    } else if ((code >= 0x30 && code <= 0x39) || (code >= 0x61 && code <= 0x66)) {
      if (++digits > 4) return -1;
    } else return -1;
  }
  return digits === 0 ? -1 : groups;
}

/**
 * Tells whether a candidate is an IPv6 address: 8 groups, or 2–7 around one `::`, an IPv4 tail
 * counting as two. Reads the candidate without splitting it (a rule's candidates can be many).
 * @param candidate What the `ipv6` regex matched.
 */
export function ipv6Valid(candidate: string): boolean {
  let text = candidate;
  let groupsFromIpv4 = 0;
  const lastColon = text.lastIndexOf(':');
  if (text.indexOf('.', lastColon) !== -1) {
    const octets = text.slice(lastColon + 1).split('.');
    if (octets.length !== 4 || octets.some((octet) => octet === '' || Number(octet) > 255)) return false;
    text = text.slice(0, lastColon + 1) + '0';
    groupsFromIpv4 = 1;
  }
  const gap = text.indexOf('::');
  if (gap === -1) return hexGroups(text, 0, text.length) + groupsFromIpv4 === 8;
  if (text.indexOf('::', gap + 2) !== -1) return false;
  const head = hexGroups(text, 0, gap);
  const tail = hexGroups(text, gap + 2, text.length);
  if (head === -1 || tail === -1) return false;
  const count = head + tail + groupsFromIpv4;
  // `a::b` needs two groups: `std::` and `x::y` in code are not addresses.
  return count >= 2 && count <= 7;
}

// ---------------------------------------------------------------------------------------------
// Masks

const STARS = (length: number): string => '*'.repeat(Math.max(0, length));

/** Replaces every character matching `keep` unless it is within the last `visible` such characters. */
function maskClass(value: string, kind: RegExp, visible: number, skipFirst = 0): string {
  let total = 0;
  for (const char of value) if (kind.test(char)) total++;
  let seen = 0;
  let out = '';
  for (const char of value) {
    if (!kind.test(char)) {
      out += char;
      continue;
    }
    seen++;
    out += seen <= skipFirst || seen > total - visible ? char : '*';
  }
  return out;
}

function maskEmail(value: string): string {
  const at = value.indexOf('@');
  const domain = value.slice(at + 1);
  const dot = domain.lastIndexOf('.');
  return `${value[0]}***@${domain[0]}***${domain.slice(dot)}`;
}

/** Keeps a secret's well-known prefix and its last four characters, like provider dashboards do. */
function maskSecret(prefixLength: number): (value: string) => string {
  return (value) => {
    if (value.length <= prefixLength + 8) return value.slice(0, prefixLength) + STARS(value.length - prefixLength);
    return value.slice(0, prefixLength) + STARS(value.length - prefixLength - 4) + value.slice(-4);
  };
}

/**
 * The mask for custom rules: first character kept, the rest starred, spaces kept.
 * @param value The matched text.
 */
export function maskGeneric(value: string): string {
  let out = '';
  let first = true;
  for (const char of value) {
    if (/\s/.test(char)) out += char;
    else if (first) {
      out += char;
      first = false;
    } else out += '*';
  }
  return out;
}

// ---------------------------------------------------------------------------------------------
// Built-in detectors, in priority order (a tie between equally long overlapping matches goes to the first).

/** The names of the built-in rules, in priority order. */
export const BUILTIN_RULES = [
  'private-key',
  'anthropic-key',
  'openai-key',
  'aws-access-key',
  'github-token',
  'google-api-key',
  'slack-token',
  'jwt',
  'secret',
  'email',
  'iban',
  'credit-card',
  'ssn',
  'ipv6',
  'ipv4',
  'phone',
] as const;

/** A built-in rule name. */
export type BuiltinRule = (typeof BUILTIN_RULES)[number];

/**
 * How far each rule's match, with its lookahead, can reach from its start (bounded quantifiers make it
 * finite): the overlap a scan in slices reads past each slice. `private-key` slices itself.
 */
export const BUILTIN_REACH: Readonly<Record<BuiltinRule, number>> = {
  'private-key': 0,
  'anthropic-key': 300,
  'openai-key': 300,
  'aws-access-key': 32,
  'github-token': 300,
  'google-api-key': 48,
  'slack-token': 300,
  jwt: 16_400,
  secret: 300,
  email: 640,
  iban: 72,
  'credit-card': 32,
  ssn: 16,
  ipv6: 64,
  ipv4: 24,
  phone: 80,
};

/**
 * Turns a rule name into its placeholder label: `credit-card` → `CREDIT_CARD`.
 * @param name A rule name.
 */
export function labelOf(name: string): string {
  return name.toUpperCase().replace(/[^A-Z0-9]+/g, '_');
}

const OCTET = '(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)';
/**
 * Phone shapes. Every group after the first starts with a separator, so a digit run splits one way
 * only and a failed match cannot backtrack through every partition of it.
 */
const PHONE_SOURCES = [
  // E.164 (+14155552671) and written international numbers: +44 20 7946 0958, +1 (415) 555-2671, +49 (0)30 1234567.
  '\\+(?:\\d{8,15}|\\d{1,3}(?:[ .\\-]?\\(\\d{1,4}\\)\\d{0,4})?(?:[ .\\-]\\d{1,8}){1,6})',
  // North American: (415) 555-2671, 415-555-2671, 415.555.2671, 415 555 2671 (one separator kind).
  '\\([2-9]\\d{2}\\) ?[2-9]\\d{2}[ .\\-]\\d{4}',
  '[2-9]\\d{2}([ .\\-])[2-9]\\d{2}\\1\\d{4}',
  // National numbers with a trunk 0, in space or dash groups: 020 7946 0958, 01 23 45 67 89.
  '0\\d{1,4}(?:[ \\-]\\d{1,6}){1,4}',
];

/** Digits at the end of the longest prefix (ending a digit group) whose digit count fits the shape. */
function phoneAccept(match: RegExpExecArray): readonly [number, number] | null {
  const text = match[0];
  const first = text.charCodeAt(0);
  // E.164 allows 15 digits; national numbers with a trunk 0 have 10 or 11; North American ones 10.
  const min = first === 0x2b ? 8 : 10;
  const max = first === 0x2b ? 15 : first === 0x30 ? 11 : 10;
  let digits = 0;
  let best = -1;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code < 48 || code > 57) continue;
    digits++;
    if (digits > max) break;
    const next = text.charCodeAt(index + 1);
    // A greedy candidate may have swallowed a following number: cut after a group, never inside one.
    const endsGroup = Number.isNaN(next) || next === 0x20 || next === 0x2d || next === 0x2e;
    if (endsGroup && digits >= min) best = index + 1;
  }
  return best === -1 ? null : [0, best];
}

function cardAccept(match: RegExpExecArray): readonly [number, number] | null {
  const text = match[0];
  // Luhn from the right over the digits only, separators skipped (no copy: candidates can be many).
  let digits = 0;
  let sum = 0;
  for (let index = text.length - 1; index >= 0; index--) {
    let digit = text.charCodeAt(index) - 48;
    if (digit < 0 || digit > 9) continue;
    if (digits++ % 2 === 1) {
      digit *= 2;
      if (digit > 9) digit -= 9;
    }
    sum += digit;
  }
  if (digits < 13 || digits > 19) return null;
  return sum % 10 === 0 ? [0, text.length] : null;
}

function ibanAccept(match: RegExpExecArray): readonly [number, number] | null {
  const text = match[0];
  const country = text.slice(0, 2).toUpperCase();
  const length = IBAN_LENGTHS[country];
  if (length === undefined) return null;
  // The candidate may run on into the next word: cut it at the country's length, on a group boundary.
  let compact = '';
  let end = 0;
  for (; end < text.length && compact.length < length; end++) {
    const char = text[end]!;
    if (char !== ' ') compact += char.toUpperCase();
  }
  if (compact.length !== length) return null;
  if (end < text.length && text[end] !== ' ') return null;
  return ibanRemainder(compact) === 1 ? [0, end] : null;
}

function ipv6Accept(match: RegExpExecArray): readonly [number, number] | null {
  return ipv6Valid(match[0]) ? [0, match[0].length] : null;
}

/** Placeholder-like values (`<your-key>`, `${TOKEN}`, `changeme`) are not secrets. */
function secretAccept(match: RegExpExecArray): readonly [number, number] | null {
  const value = match[1]!;
  if (entropy(value) < 3) return null;
  const start = match[0].length - value.length;
  return [start, match[0].length];
}

const SECRET_WORD = /(?:secret|password|passwd|pwd|passphrase|token|key)["']?[ \t]{0,4}[:=]/i;
const IPV6_HINT = /[0-9a-f]{0,4}:[0-9a-f]{0,4}:/i;

/**
 * Builds the built-in detectors. Each call returns fresh regexes (their `lastIndex` is scan state).
 * @returns Every built-in detector, by rule name.
 */
export function builtinDetectors(): Record<BuiltinRule, Detector> {
  const make = (
    name: BuiltinRule,
    source: string,
    flags: string,
    quick: Detector['quick'],
    accept: Detector['accept'],
    mask: Detector['mask'],
    seek?: Detector['seek'],
    finder?: Detector['finder'],
  ): Detector =>
    Object.freeze({
      name,
      label: labelOf(name),
      regex: new RegExp(source, `g${flags}`),
      quick,
      accept,
      mask,
      ...(seek === undefined ? {} : { seek }),
      ...(finder === undefined ? {} : { finder }),
      reach: BUILTIN_REACH[name],
    });
  return {
    'private-key': make(
      'private-key',
      // Only the BEGIN line: the block is found by `privateKeyFinder`, which stays linear where a regex cannot.
      '-----BEGIN (?:[A-Z0-9]+ ){0,4}PRIVATE KEY-----',
      '',
      (text) => text.includes('-----BEGIN'),
      null,
      (value) => {
        const header = /^-----BEGIN [A-Z0-9 ]*PRIVATE KEY-----/.exec(value)?.[0] ?? '';
        const footer = /-----END [A-Z0-9 ]*PRIVATE KEY-----$/.exec(value)?.[0] ?? '';
        return `${header}\n****\n${footer}`;
      },
      undefined,
      privateKeyFinder,
    ),
    'anthropic-key': make('anthropic-key', '(?<![\\w-])sk-ant-[A-Za-z0-9_-]{20,256}', '', (text) => text.includes('sk-ant-'), null, maskSecret(7)),
    'openai-key': make(
      'openai-key',
      '(?<![\\w-])sk-(?!ant-)(?:proj-|svcacct-|admin-)?[A-Za-z0-9_-]{20,256}',
      '',
      (text) => text.includes('sk-'),
      null,
      maskSecret(3),
    ),
    'aws-access-key': make(
      'aws-access-key',
      '(?<![A-Za-z0-9])(?:AKIA|ASIA|ABIA|ACCA)[A-Z0-9]{16}(?![A-Za-z0-9])',
      '',
      (text) => text.includes('AKIA') || text.includes('ASIA') || text.includes('ABIA') || text.includes('ACCA'),
      null,
      maskSecret(4),
    ),
    'github-token': make(
      'github-token',
      '(?<![\\w])(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})',
      '',
      (text) => text.includes('gh') || text.includes('github_pat_'),
      null,
      maskSecret(4),
    ),
    'google-api-key': make('google-api-key', '(?<![\\w-])AIza[0-9A-Za-z_-]{35}(?![\\w-])', '', (text) => text.includes('AIza'), null, maskSecret(4)),
    'slack-token': make('slack-token', '(?<![\\w-])xox[baprs]-[A-Za-z0-9-]{10,250}', '', (text) => text.includes('xox'), null, maskSecret(5)),
    jwt: make(
      'jwt',
      '(?<![\\w-])eyJ[A-Za-z0-9_-]{5,4096}\\.eyJ[A-Za-z0-9_-]{5,8192}\\.[A-Za-z0-9_-]{0,4096}(?![\\w-])',
      '',
      (text) => text.includes('eyJ'),
      null,
      maskSecret(3),
    ),
    secret: make(
      'secret',
      '(?<![A-Za-z0-9])(?:secret|password|passwd|pwd|passphrase|token|api[_-]?key|access[_-]?key|secret[_-]?key|client[_-]?secret|auth[_-]?token)["\']?[ \\t]{0,4}[:=][ \\t]{0,4}["\']?([^\\s"\'<>`${][^\\s"\'`]{7,255})',
      'i',
      // The assignment needs one of the key words followed by ':' or '='.
      (text) => SECRET_WORD.test(text),
      secretAccept,
      (value) => STARS(value.length),
    ),
    email: make(
      'email',
      // Bounded local part (64) and labels (63) keep the scan linear on long unbroken text.
      "(?<![A-Za-z0-9._%+\\-])[A-Za-z0-9_%+\\-](?:[A-Za-z0-9._%+\\-]{0,62}[A-Za-z0-9_%+\\-])?@(?:[A-Za-z0-9](?:[A-Za-z0-9\\-]{0,61}[A-Za-z0-9])?\\.){1,8}[A-Za-z]{2,24}(?![A-Za-z0-9\\-])",
      '',
      (text) => text.includes('@'),
      null,
      maskEmail,
      // An email's local part is at most 64 characters before its '@': start looking just before each '@'.
      (text, from) => {
        const at = text.indexOf('@', from);
        return at === -1 ? -1 : Math.max(from, at - 65);
      },
    ),
    iban: make(
      'iban',
      '(?<![A-Za-z0-9])[A-Za-z]{2}\\d{2}(?: ?[A-Za-z0-9]){11,30}(?![A-Za-z0-9])',
      '',
      hasDigit,
      ibanAccept,
      (value) => maskClass(value, /[A-Za-z0-9]/, 4, 2),
    ),
    'credit-card': make(
      'credit-card',
      // First digit 2-6 (card networks' ranges); 13-19 digits together, or grouped 4-4-4-x / 4-6-5 with one separator kind.
      '(?<![\\d.-])(?:[2-6]\\d{12,18}|[2-6]\\d{3}([ -])\\d{4}\\1\\d{4}\\1\\d{1,4}|[2-6]\\d{3}([ -])\\d{6}\\2\\d{4,5})(?![\\d]|[.-]\\d)',
      '',
      hasDigit,
      cardAccept,
      (value) => maskClass(value, /\d/, 4),
    ),
    ssn: make(
      'ssn',
      // Dashed form only; area 000, 666 and 9xx, group 00 and serial 0000 are never issued.
      '(?<![\\d-])(?!000|666|9\\d\\d)\\d{3}-(?!00)\\d{2}-(?!0000)\\d{4}(?![\\d]|-\\d)',
      '',
      hasDigit,
      null,
      (value) => `***-**-${value.slice(-4)}`,
    ),
    ipv6: make(
      'ipv6',
      '(?<![\\w:.])(?:[0-9a-f]{0,4}:){2,7}(?:[0-9a-f]{1,4}|\\d{1,3}(?:\\.\\d{1,3}){3})?(?![\\w:]|\\.\\d)',
      'i',
      // At least two groups separated by colons, close together (a lone ':' in prose is not enough).
      (text) => text.includes(':') && IPV6_HINT.test(text),
      ipv6Accept,
      (value) => {
        const first = value.indexOf(':');
        return value.slice(0, first + 1) + value.slice(first + 1).replace(/[0-9a-f]/gi, '*');
      },
    ),
    ipv4: make(
      'ipv4',
      `(?<![\\d.])${OCTET}(?:\\.${OCTET}){3}(?!\\d|\\.\\d)`,
      '',
      hasDigit,
      null,
      (value) => `${value.slice(0, value.indexOf('.'))}.*.*.*`,
    ),
    phone: make(
      'phone',
      `(?<![\\w+.\\-/:])(?:${PHONE_SOURCES.join('|')})(?![\\w]|[.\\-/:]\\d)`,
      '',
      hasDigit,
      phoneAccept,
      (value) => maskClass(value, /\d/, 2),
    ),
  };
}

/**
 * Compiles a word list into one regex: escaped alternatives, longest first, with Unicode word boundaries.
 * @param list The words or phrases.
 * @param caseSensitive Whether case must match.
 * @returns A global regex, or `null` for an empty list.
 */
export function compileWordList(list: readonly string[], caseSensitive: boolean): RegExp | null {
  const words = [...new Set(list.map((word) => word.trim()).filter((word) => word !== ''))].sort((a, b) => b.length - a.length);
  if (words.length === 0) return null;
  const alternatives = words.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  // `\b` is ASCII-only; these lookarounds also bound "Zoë" and "東京".
  return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}_])`, caseSensitive ? 'gu' : 'giu');
}
