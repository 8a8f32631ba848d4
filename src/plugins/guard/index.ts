/**
 * The `guard()` plugin: refuses or flags prompt injection, role-play jailbreaks, hidden Unicode and
 * your own keywords and patterns in what users and tools wrote, then asks your own check (a
 * moderation API, a classifier) with a deadline. A refusal reaches the SDK as a 400 in its dialect.
 * @module
 */
import { markPluginFactory } from '../factory.js';
import type { CallContext } from '../../core/context.js';
import { SluiceError } from '../../core/errors.js';
import type { Middleware, Next } from '../../core/types.js';
import type { GuardAction } from '../../events/record.js';
import { forEachTextField, mapTextFields, type TextRole } from '../text-fields.js';
import { runCheck } from './check.js';
import { resolveGuardOptions, type GuardCheckInput, type GuardOptions, type ResolvedGuardOptions } from './options.js';
import { countMatches, normalizeForScan, stripHidden, type HiddenScan } from './rules.js';
import { SCAN_SLICE_CHARS, scanLimitReason, yieldToEventLoop } from '../scan-budget.js';

export type {
  GuardBuiltinRule,
  GuardCheck,
  GuardCheckInput,
  GuardDecision,
  GuardKeywords,
  GuardMode,
  GuardOptions,
  GuardPattern,
  GuardRole,
} from './options.js';

const CODE = 'sluice_guard_blocked';
/** At most this many places are named in a block message. */
const MAX_SITES = 5;

/** One text's findings: its hidden characters and the matches of each phrase and content rule. */
interface TextFindings {
  hidden: HiddenScan | null;
  /** `counts[i]` matches of `rules[i]`. */
  counts: number[];
}

/** One call's scan: counts per rule, where blocking rules matched, and the texts for the check (also used by `sluice/mcp` on tool results). */
export class GuardScan {
  readonly counts = new Map<string, { action: GuardAction; count: number }>();
  readonly blocked: Array<{ rule: string; path: string }> = [];
  readonly texts: string[] = [];
  readonly #options: ResolvedGuardOptions;
  /** Texts scanned ahead by {@link prepare}; when set, a text not in it was not scanned and goes as written. */
  #prepared: Map<string, TextFindings> | null = null;

  constructor(options: ResolvedGuardOptions) {
    this.#options = options;
  }

  #count(rule: string, action: GuardAction, count: number, path: string): void {
    const entry = this.counts.get(rule);
    if (entry === undefined) this.counts.set(rule, { action, count });
    else entry.count += count;
    if (action === 'block' && this.blocked.length < MAX_SITES && !this.blocked.some((site) => site.rule === rule && site.path === path)) {
      this.blocked.push({ rule, path });
    }
  }

  /**
   * Scans texts ahead of the rewrite, one step at a time (hidden characters, normalisation, then each
   * rule over the whole text), letting the event loop run between the steps of a large text and
   * stopping when `maxScanMs` has passed on the call's clock.
   * @returns `'time'` when the time ran out before every text was scanned.
   */
  async prepare(texts: readonly string[], now: () => number, startedMs: number): Promise<'done' | 'time'> {
    const options = this.#options;
    const prepared = (this.#prepared = new Map());
    let sinceYield = 0;
    const pause = async (chars: number): Promise<boolean> => {
      sinceYield += chars;
      if (sinceYield >= SCAN_SLICE_CHARS) {
        await yieldToEventLoop();
        sinceYield = 0;
      }
      return now() - startedMs > options.limits.maxScanMs;
    };
    for (const text of texts) {
      if (prepared.has(text)) continue;
      const findings: TextFindings = { hidden: options.hidden === false ? null : stripHidden(text), counts: [] };
      if (await pause(text.length)) return 'time';
      if (options.rules.length > 0) {
        const normalized = normalizeForScan(text);
        if (await pause(text.length)) return 'time';
        for (const rule of options.rules) {
          findings.counts.push(countMatches(rule.regex, normalized));
          if (await pause(text.length)) return 'time';
        }
      }
      prepared.set(text, findings);
    }
    return 'done';
  }

  /** Marks the call as not scanned at all: {@link visit} then passes every text as written. */
  skipAll(): void {
    this.#prepared = new Map();
  }

  #findings(text: string): TextFindings | null {
    if (this.#prepared !== null) return this.#prepared.get(text) ?? null;
    const options = this.#options;
    const findings: TextFindings = { hidden: options.hidden === false ? null : stripHidden(text), counts: [] };
    if (options.rules.length > 0) {
      const normalized = normalizeForScan(text);
      for (const rule of options.rules) findings.counts.push(countMatches(rule.regex, normalized));
    }
    return findings;
  }

  readonly visit = (text: string, path: string, _role: TextRole): string => {
    const options = this.#options;
    let out = text;
    const findings = this.#findings(text);
    if (findings !== null) {
      const hidden = findings.hidden;
      if (hidden !== null && options.hidden !== false && hidden.count > 0) {
        this.#count('hidden-unicode', options.hidden, hidden.count, path);
        if (options.hidden === 'redact') out = hidden.text;
      }
      findings.counts.forEach((count, index) => {
        const rule = options.rules[index]!;
        if (count > 0) this.#count(rule.name, rule.mode, count, path);
      });
    }
    if (options.check !== null) this.texts.push(out);
    return out;
  };
}

function report(ctx: CallContext, rule: string, action: GuardAction, count: number): void {
  ctx.guard.push({ rule, action, count });
  if (ctx.events.has('guard:match')) ctx.events.emit({ type: 'guard:match', id: ctx.id, rule, action, count });
}

function blockMessage(blocked: ReadonlyArray<{ rule: string; path: string }>): string {
  const rules = [...new Set(blocked.map((site) => site.rule))];
  const sites = blocked.map((site) => site.path).join(', ');
  const named = rules.map((rule) => `'${rule}'`).join(', ');
  return `guard(): request blocked by rule ${named} (in ${sites}); it was not sent. If this is a false positive, set rules[${named}] to 'log'.`;
}

/** The verdict's rule when a scan limit is met. */
const SCAN_LIMIT_RULE = 'scan-limit';

/** Scans a large body's texts before the visit, within the scan limits; over one, blocks or lets the call on per `onScanLimit`. */
async function scanAhead(ctx: CallContext, body: unknown, scan: GuardScan, options: ResolvedGuardOptions): Promise<void> {
  const { onScanLimit } = options.limits;
  const reason = await scanLimitReason(collectTexts(ctx, body, options.roles), scan, options.limits, ctx.now);
  if (reason === null) return;
  report(ctx, SCAN_LIMIT_RULE, onScanLimit === 'block' ? 'block' : 'log', 1);
  if (onScanLimit === 'block') {
    throw new SluiceError(CODE, `guard(): request blocked, it was not sent: ${reason}. Raise the limit, or set onScanLimit to 'allow' to send such requests partly scanned.`, { status: 400 });
  }
  ctx.error = { class: 'guard_scan_limit', message: `guard(): ${reason}; the request was sent with the rest unscanned because onScanLimit is 'allow'.` };
}

/** The texts of the scanned roles, for the check when no rule scans them. */
function collectTexts(ctx: CallContext, body: unknown, roles: ReadonlySet<TextRole>): string[] {
  const texts: string[] = [];
  forEachTextField(ctx.dialect, ctx.operation, body, (text) => texts.push(text), roles);
  return texts;
}

/**
 * Creates the guard. It scans the texts of the roles in `scan` (user and tool messages by default:
 * the system prompt is yours) for instruction overrides (`prompt-injection`), role-play jailbreaks
 * (`jailbreak`), invisible characters (`hidden-unicode`: zero-width, bidi controls, tag characters),
 * and your `keywords` and `patterns`; then runs `check` if given. Verdicts go to the record's
 * `guard` and to `guard:match` events, never with the matched text.
 * @param options What to look for and what to do.
 * @param options.mode What the heuristics and content rules do. @default 'block'
 * @param options.rules Per-rule mode or `false`; `hidden-unicode` also takes `'redact'`. @default hidden-unicode 'redact', others `mode`
 * @param options.keywords Word lists `{ name, list, mode?, caseSensitive? }`. @default []
 * @param options.patterns Regex rules `{ name, regex, mode? }`. @default []
 * @param options.scan Roles scanned. @default ['user', 'tool']
 * @param options.check Your own check, returning `{ action: 'allow' }` or `{ action: 'block', reason }`.
 * @param options.timeoutMs Deadline for `check`. @default 2000
 * @param options.onTimeout When `check` times out or throws: `block` (fail closed) or `allow`. @default 'block'
 * @param options.maxScanChars The most characters of text scanned per call. @default 16_000_000
 * @param options.maxScanMs How long one call's scan may take (checked between steps). @default 5000
 * @param options.onScanLimit Over a scan limit: `block` (400) or `allow` (sent partly scanned). @default 'block'
 * @returns The middleware; put it first in `use`.
 * @throws {SluiceConfigError} when an option is invalid, with paths such as `guard().rules.jailbrek`.
 * @example
 * import { createSluice } from 'sluice';
 * import { guard } from 'sluice/plugins';
 *
 * const sluice = createSluice({
 *   use: [
 *     guard({
 *       keywords: [{ name: 'competitors', list: ['Acme Corp'], mode: 'log' }],
 *       check: async ({ texts }) => ((await moderate(texts)) ? { action: 'allow' } : { action: 'block', reason: 'flagged by moderation' }),
 *     }),
 *   ],
 * });
 */
export function guard(options?: GuardOptions): Middleware {
  const resolved = resolveGuardOptions(options);
  const scans = resolved.hidden !== false || resolved.rules.length > 0;
  return async function guard(ctx: CallContext, next: Next): Promise<Response> {
    const body = ctx.body;
    const dialect: string = ctx.dialect;
    const hasBody = typeof body === 'object' && body !== null;
    let texts: string[] = [];
    if (hasBody && scans) {
      const scan = new GuardScan(resolved);
      // A body of one slice or less is scanned as it is visited; a larger one is scanned first, step by step.
      const bodyChars = ctx.bodyText?.length ?? Infinity;
      if (bodyChars > Math.min(SCAN_SLICE_CHARS, resolved.limits.maxScanChars)) await scanAhead(ctx, body, scan, resolved);
      const updated = mapTextFields(dialect, ctx.operation, body, scan.visit, resolved.roles);
      for (const [rule, { action, count }] of scan.counts) report(ctx, rule, action, count);
      if (scan.blocked.length > 0) throw new SluiceError(CODE, blockMessage(scan.blocked), { status: 400 });
      if (updated !== body) ctx.setBody(updated);
      texts = scan.texts;
    } else if (hasBody && resolved.check !== null) {
      texts = collectTexts(ctx, body, resolved.roles);
    }

    const check = resolved.check;
    if (check === null) return next(ctx);
    const input: GuardCheckInput = Object.freeze({ dialect: ctx.dialect, model: ctx.requestedModel, texts, user: ctx.user, tags: ctx.tags });
    const outcome = await runCheck(check, input, resolved.timeoutMs, ctx.signal);
    switch (outcome.kind) {
      case 'decision':
        if (outcome.decision.action === 'allow') return next(ctx);
        report(ctx, 'check', 'block', 1);
        throw new SluiceError(CODE, `guard(): request blocked by the check: ${outcome.decision.reason}`, { status: 400 });
      case 'abort':
        // The caller gave up: it gets its own abort reason, as from fetch.
        throw outcome.reason;
      case 'timeout':
      case 'error': {
        const what = outcome.kind === 'timeout' ? `did not answer within ${resolved.timeoutMs} ms` : `failed: ${outcome.message}`;
        if (resolved.onTimeout === 'block') {
          report(ctx, 'check', 'block', 1);
          throw new SluiceError(CODE, `guard(): the check ${what}; the request was blocked because onTimeout is 'block'.`, { status: 400 });
        }
        ctx.error = { class: 'guard_check_failed', message: `guard(): the check ${what}; the request was allowed because onTimeout is 'allow'.` };
        return next(ctx);
      }
    }
  };
}

markPluginFactory(guard, 'guard');
