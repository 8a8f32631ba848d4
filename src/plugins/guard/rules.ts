/**
 * The guard's built-in heuristics, compiled once: instruction-override phrases (`prompt-injection`),
 * role-play jailbreaks (`jailbreak`), and invisible characters (`hidden-unicode`), plus the text
 * normalisation that defeats the usual evasions (zero-width characters inside words, ASCII smuggled
 * in Unicode tag characters, full-width letters).
 * @module
 */

/** Between two words of a phrase: spaces, punctuation or line breaks, a few of them. */
const GAP = '[\\s\\p{P}\\p{S}_]{1,8}';

/**
 * Builds one phrase regex source from words; each word is `a|b|c` alternatives (regex allowed), and a
 * leading `~` makes a word optional. Phrases are bounded by non-letters on both sides.
 */
function phrase(...words: readonly string[]): string {
  let out = '';
  words.forEach((word, index) => {
    const optional = word.startsWith('~');
    // Typed and typographic apostrophes alike ("you're", "you’re").
    const alternatives = `(?:${(optional ? word.slice(1) : word).replace(/ /g, GAP).replace(/'/g, "['’]")})`;
    if (index === 0) out = alternatives;
    else out += optional ? `(?:${GAP}${alternatives})?` : `${GAP}${alternatives}`;
  });
  return `(?<![\\p{L}\\p{N}])${out}(?![\\p{L}\\p{N}])`;
}

const OVERRIDE = 'ignore|disregard|forget|skip|bypass|override|overlook|neglect|drop';
/** Verbs that override instructions even without "previous": "ignore your instructions". */
const OVERRIDE_STRONG = 'ignore|disregard|forget|bypass|override';
const STRONG_RULES = 'instructions?|prompts?|directives?|programming|guidelines|rules|guardrails|restrictions|constraints|system prompt|system message';
const BEFORE = 'previous|prior|above|earlier|preceding|former|foregoing|initial|original|old|system|developer';
const RULES = 'instructions?|prompts?|directions?|rules|guidelines|commands?|directives?|context|messages?|programming|constraints|guardrails|restrictions|system prompt|system message';

/** Instruction-override and prompt-extraction phrases, and chat-template role markers written into content. */
const injectionSources = (): readonly string[] => [
  phrase(OVERRIDE, '~all|any|every', '~of', '~the|your|my|these|those|this|that', BEFORE, RULES),
  phrase(OVERRIDE_STRONG, 'all|your', '~of', '~your|the', STRONG_RULES),
  phrase(OVERRIDE_STRONG, '~all|everything', '~of', '~the', 'above|foregoing'),
  phrase('forget', 'everything|all', 'above|before|previously|you were told|you have been told|you\'ve been told|you know'),
  phrase('new|updated|revised|real|actual', 'instructions?|system prompt|rules') + '\\s*:',
  phrase(
    'reveal|print|show|display|output|repeat|leak|dump|tell me|give me|what is|what are',
    '~me',
    '~your|the',
    '~full|entire|complete|exact|original|initial|hidden|secret',
    'system prompt|system message|system instructions|hidden instructions|initial instructions|original instructions|instructions above|prompt above|pre-?prompt',
  ),
  // "Developer mode" alone is an Android and browser setting: only the jailbreak's phrasings count.
  phrase('with|in', 'developer mode|dev mode', 'enabled|activated|unlocked'),
  phrase('you are|you\'re', '~now', 'in|running in|operating in', 'developer mode|dev mode'),
  phrase('developer mode|dev mode', 'output|response|responses|answer'),
  '<\\|(?:im_start|im_end|system|endoftext|start_header_id|end_header_id|eot_id)\\|>',
  '\\[/?INST\\]|<</?SYS>>',
  // Tried only where a run of '#' starts: from every '#' of a long run, `#{2,}` would re-read the rest of it.
  '(?<![\\p{L}\\p{N}#])#{2,}\\s*(?:system|instruction|instructions)\\s*:',
];

/** Role-play jailbreaks: personas without rules, "do anything now", disabled safety. */
const jailbreakSources = (): readonly string[] => [
  phrase(
    'you are|you\'re|act as|acting as|pretend to be|pretend you are|roleplay as|role-play as|role play as|become|behave like|respond as|simulate',
    '~now',
    '~a|an|the',
    'DAN|STAN|jailbroken|jailbreak|unrestricted|unfiltered|uncensored|unaligned|amoral',
  ),
  phrase('do anything now'),
  phrase(
    'respond|answer|reply|act|behave|speak|talk|operate|ai|assistant|model|chatbot|character|persona',
    '~with|that has|who has',
    'no|without|free of|free from',
    '~any|all',
    '~ethical|moral|safety|content',
    'restrictions|filters|filtering|limits|limitations|rules|guidelines|censorship|policies|policy|boundaries|morals|ethics',
  ),
  phrase('enable|activate|enter|switch to|turn on', '~the', 'jailbreak|god|unrestricted|evil|opposite|chaos|unfiltered|uncensored', 'mode'),
  phrase('jailbreak|god|unrestricted|unfiltered', 'mode', '~is|now', 'enabled|activated|on'),
  phrase('your|the|all', '~safety|content|ethical|moral', 'filters?|guidelines|policies|restrictions|safeguards|guardrails', 'are|have been|were', '~now', 'disabled|removed|turned off|lifted|gone|off'),
];

/** A global, case-insensitive, Unicode-aware regex matching any of the phrases. */
function compile(sources: readonly string[]): RegExp {
  return new RegExp(sources.map((source) => `(?:${source})`).join('|'), 'giu');
}

/**
 * Builds the built-in heuristics. Each call returns fresh regexes (their `lastIndex` is scan state).
 * @returns The `prompt-injection` and `jailbreak` regexes.
 */
export function builtinPhraseRules(): { 'prompt-injection': RegExp; jailbreak: RegExp } {
  // Built on first use, not at import: importing `sluice/plugins` stays free.
  return { 'prompt-injection': compile(injectionSources()), jailbreak: compile(jailbreakSources()) };
}

// ---------------------------------------------------------------------------------------------
// Hidden Unicode

/** Any character this module treats as hidden, for a cheap first test (tags are matched by their high surrogate). */
const HIDDEN_QUICK = /[\u200B-\u200D\u202A-\u202E\u2060-\u2064\u2066-\u2069\uFEFF\uDB40]/;

/** What the code points around a hidden character are, by bit. */
const PICTOGRAPHIC = 1;
/** Extended_Pictographic, an emoji modifier or VS16: what may precede an emoji ZWJ. */
const BEFORE_EMOJI_JOINER = 2;
const LETTER_OR_MARK = 4;
/** A letter or mark of a script that needs ZWJ/ZWNJ (not Latin, Common, Greek or Cyrillic, where they only hide words). */
const JOINING_LETTER = 8;

const PICTOGRAPHIC_TEST = /^\p{Extended_Pictographic}$/u;
const BEFORE_EMOJI_JOINER_TEST = /^[\p{Extended_Pictographic}\p{Emoji_Modifier}\uFE0F]$/u;
const LETTER_OR_MARK_TEST = /^[\p{L}\p{M}]$/u;
const NON_JOINING_SCRIPT_TEST = /^[\p{Script=Latin}\p{Script=Common}\p{Script=Greek}\p{Script=Cyrillic}]$/u;

/** The classes of one code point (-1: none there); ASCII answers without a regex. */
function classesOf(codePoint: number, memo: Map<number, number>): number {
  if (codePoint < 0) return 0;
  if (codePoint < 0x80) return (codePoint | 0x20) >= 0x61 && (codePoint | 0x20) <= 0x7a ? LETTER_OR_MARK : 0;
  let classes = memo.get(codePoint);
  if (classes === undefined) {
    const char = String.fromCodePoint(codePoint);
    classes = 0;
    if (PICTOGRAPHIC_TEST.test(char)) classes |= PICTOGRAPHIC;
    if (BEFORE_EMOJI_JOINER_TEST.test(char)) classes |= BEFORE_EMOJI_JOINER;
    if (LETTER_OR_MARK_TEST.test(char)) classes |= LETTER_OR_MARK | (NON_JOINING_SCRIPT_TEST.test(char) ? 0 : JOINING_LETTER);
    memo.set(codePoint, classes);
  }
  return classes;
}

/** The code point ending just before `index`, or -1. */
function codePointBefore(text: string, index: number): number {
  if (index === 0) return -1;
  const low = text.charCodeAt(index - 1);
  if (low >= 0xdc00 && low <= 0xdfff && index >= 2) {
    const high = text.charCodeAt(index - 2);
    if (high >= 0xd800 && high <= 0xdbff) return ((high - 0xd800) << 10) + (low - 0xdc00) + 0x10000;
  }
  return low;
}

/** Zero-width space and joiners, word joiner and invisible operators, BOM, bidi embeddings, overrides and isolates. */
function isHiddenBmp(code: number): boolean {
  return (code >= 0x200b && code <= 0x200d) || (code >= 0x2060 && code <= 0x2064) || code === 0xfeff || (code >= 0x202a && code <= 0x202e) || (code >= 0x2066 && code <= 0x2069);
}

/** A tag character's low surrogate (U+E0000–E007F are `\uDB40\uDC00`–`\uDB40\uDC7F`). */
const isTagLow = (code: number): boolean => code >= 0xdc00 && code <= 0xdc7f;
/** Tags a flag sequence uses: digits and lower-case letters. */
const isFlagTagLow = (code: number): boolean => (code >= 0xdc30 && code <= 0xdc39) || (code >= 0xdc61 && code <= 0xdc7a);

/** The end of the flag tag sequence (🏴 + 1–8 tags + cancel tag) starting at `index`, or -1. */
function flagEnd(text: string, index: number): number {
  let at = index + 2;
  let tags = 0;
  while (tags < 8 && text.charCodeAt(at) === 0xdb40 && isFlagTagLow(text.charCodeAt(at + 1))) {
    at += 2;
    tags++;
  }
  return tags > 0 && text.charCodeAt(at) === 0xdb40 && text.charCodeAt(at + 1) === 0xdc7f ? at + 2 : -1;
}

/** What {@link stripHidden} found. */
export interface HiddenScan {
  /** The text without its hidden characters. */
  text: string;
  /** How many hidden characters were found. */
  count: number;
}

/**
 * Counts and removes hidden characters, keeping their legitimate uses: flag tag sequences (England's
 * flag), ZWJ inside emoji sequences, ZWJ and ZWNJ between letters of scripts that need them (Persian,
 * Devanagari...). Hidden: zero-width space and joiners, word joiner and invisible operators, BOM, bidi
 * embeddings, overrides and isolates (U+202A–202E, U+2066–2069), tag characters (U+E0000–E007F).
 * One pass over the text; the neighbours of a hidden character are classified once per code point.
 * @param text Any text.
 * @returns The stripped text and the count (`count` 0 and the same text when there is none).
 */
export function stripHidden(text: string): HiddenScan {
  if (!HIDDEN_QUICK.test(text)) return { text, count: 0 };
  const memo = new Map<number, number>();
  let count = 0;
  let out = '';
  let kept = 0;
  for (let index = 0; index < text.length; index++) {
    const code = text.charCodeAt(index);
    if (code === 0xd83c && text.charCodeAt(index + 1) === 0xdff4) {
      const end = flagEnd(text, index);
      if (end !== -1) index = end - 1;
      continue;
    }
    let width: number;
    if (isHiddenBmp(code)) {
      if (code === 0x200c || code === 0x200d) {
        const before = classesOf(codePointBefore(text, index), memo);
        const after = classesOf(text.codePointAt(index + 1) ?? -1, memo);
        if (code === 0x200d && (before & BEFORE_EMOJI_JOINER) !== 0 && (after & PICTOGRAPHIC) !== 0) continue;
        if ((before & JOINING_LETTER) !== 0 && (after & LETTER_OR_MARK) !== 0) continue;
      }
      width = 1;
    } else if (code === 0xdb40 && isTagLow(text.charCodeAt(index + 1))) {
      width = 2;
    } else continue;
    out += text.slice(kept, index);
    kept = index + width;
    index += width - 1;
    count++;
  }
  return count === 0 ? { text, count } : { text: out + text.slice(kept), count };
}

/** Anything but printable ASCII and ordinary whitespace: plain text skips normalisation. */
const NON_ASCII = /[^\t\n\r\x20-\x7e]/;
const TAG_RUN = /[\u{E0020}-\u{E007E}]+/gu;

/** Tag characters as the ASCII they smuggle, as their own words (a loop: spreading a long run into arguments overflows the stack). */
function decodeTags(run: string): string {
  let ascii = ' ';
  // Each tag is two UTF-16 units, its low surrogate 0xDC00 above the ASCII code.
  for (let index = 1; index < run.length; index += 2) ascii += String.fromCharCode(run.charCodeAt(index) - 0xdc00);
  return `${ascii} `;
}

/**
 * The text the phrase and content rules read: ASCII smuggled in tag characters decoded (as its own
 * words), other hidden characters removed, compatibility forms folded (NFKC: full-width letters).
 * @param text Any text.
 */
export function normalizeForScan(text: string): string {
  if (!NON_ASCII.test(text)) return text;
  const decoded = text.replace(TAG_RUN, decodeTags);
  return stripHidden(decoded).text.normalize('NFKC');
}

/**
 * Counts a regex's matches in a text.
 * @param regex A global regex.
 * @param text The text.
 */
export function countMatches(regex: RegExp, text: string): number {
  regex.lastIndex = 0;
  let count = 0;
  let match: RegExpExecArray | null;
  while ((match = regex.exec(text)) !== null) {
    if (match[0].length === 0) regex.lastIndex++;
    else count++;
  }
  return count;
}

/**
 * Compiles a keyword list into one regex: escaped alternatives, longest first, Unicode word boundaries.
 * @param list Words or phrases.
 * @param caseSensitive Whether case must match.
 * @returns A global regex, or `null` for an empty list.
 */
export function compileKeywords(list: readonly string[], caseSensitive: boolean): RegExp | null {
  const words = [...new Set(list.map((word) => word.trim()).filter((word) => word !== ''))].sort((a, b) => b.length - a.length);
  if (words.length === 0) return null;
  const alternatives = words.map((word) => word.replace(/[.*+?^${}()|[\]\\]/g, '\\$&').replace(/\s+/g, '\\s+'));
  return new RegExp(`(?<![\\p{L}\\p{N}_])(?:${alternatives.join('|')})(?![\\p{L}\\p{N}_])`, caseSensitive ? 'gu' : 'giu');
}
