/**
 * The `pii()` plugin: finds personal data and secrets in what a request sends (every dialect's
 * message shapes), and redacts, masks, blocks or only logs each kind. Redaction is reversible: the
 * provider sees `<EMAIL_1>`, the SDK gets the original back, in JSON answers and in streams.
 * @module
 */
import { markPluginFactory } from '../factory.js';
import type { CallContext } from '../../core/context.js';
import { SluiceError } from '../../core/errors.js';
import type { Middleware, Next, PluginLifecycle } from '../../core/types.js';
import { SCAN_SLICE_CHARS, scanLimitReason } from '../scan-budget.js';
import { forEachTextField, mapTextFields } from '../text-fields.js';
import { resolvePiiOptions, type PiiOptions, type ResolvedPiiOptions } from './options.js';
import { PiiScan } from './redact.js';
import { restoreJsonBody, restoreSseStream, type Placeholders } from './restore.js';

export type { PiiMode, PiiOptions, PiiPattern, PiiRuleName, PiiWordList } from './options.js';
export type { BuiltinRule as PiiBuiltinRule } from './detectors.js';

/** The verdict's rule when a scan limit is met. */
const SCAN_LIMIT_RULE = 'scan-limit';
/** What a refused call records in place of texts that were not all read. */
const NOT_SCANNED = '<NOT_SCANNED>';

function blockMessage(scan: PiiScan): string {
  const rules = [...new Set(scan.blocked.map((site) => site.rule))];
  const sites = scan.blocked.map((site) => `${site.rule} in ${site.path}`).join(', ');
  const more = scan.blockedTotal > scan.blocked.length ? ` and ${scan.blockedTotal - scan.blocked.length} more` : '';
  const fix = rules.map((rule) => `rules['${rule}']`).join(', ');
  return `pii(): request blocked, it was not sent: found ${sites}${more}. Remove the value, or set ${fix} to 'redact' or 'mask' to let such requests through.`;
}

function report(ctx: CallContext, scan: PiiScan, options: ResolvedPiiOptions): void {
  const emit = ctx.events.has('guard:match');
  scan.counts.forEach((count, index) => {
    if (count === 0) return;
    const rule = options.detectors[index]!.name;
    const action = options.modes[index]!;
    ctx.guard.push({ rule, action, count });
    if (emit) ctx.events.emit({ type: 'guard:match', id: ctx.id, rule, action, count });
  });
}

/**
 * Scans a large body's texts before the rewrite, within the scan limits. Over a limit, `block` refuses
 * the call (recorded with every text replaced, since not all were read) and `allow` lets it go on with
 * the record's `error` saying what was not scanned.
 */
async function scanAhead(ctx: CallContext, body: unknown, scan: PiiScan, options: ResolvedPiiOptions): Promise<void> {
  const { onScanLimit } = options.limits;
  const texts: string[] = [];
  forEachTextField(ctx.dialect, ctx.operation, body, (text) => void texts.push(text));
  const reason = await scanLimitReason(texts, scan, options.limits, ctx.now);
  if (reason === null) return;
  ctx.guard.push({ rule: SCAN_LIMIT_RULE, action: onScanLimit === 'block' ? 'block' : 'log', count: 1 });
  if (ctx.events.has('guard:match')) ctx.events.emit({ type: 'guard:match', id: ctx.id, rule: SCAN_LIMIT_RULE, action: onScanLimit === 'block' ? 'block' : 'log', count: 1 });
  if (onScanLimit === 'block') {
    if (!options.recordOriginals) ctx.setBody(mapTextFields(ctx.dialect, ctx.operation, body, () => NOT_SCANNED));
    throw new SluiceError(
      'sluice_pii_blocked',
      `pii(): request blocked, it was not sent: ${reason}. Raise the limit, or set onScanLimit to 'allow' to send such requests partly scanned.`,
      { status: 400 },
    );
  }
  ctx.error = { class: 'pii_scan_limit', message: `pii(): ${reason}; the request was sent with the rest unscanned because onScanLimit is 'allow'.` };
}

/** Wraps an answer so the SDK reads original values where the provider wrote placeholders. */
async function restoreResponse(ctx: CallContext, response: Response, placeholders: Placeholders, recordOriginals: boolean): Promise<Response> {
  const body = response.body;
  if (body === null) return response;
  const contentType = response.headers.get('content-type') ?? '';
  const init = { status: response.status, statusText: response.statusText, headers: response.headers };
  if (contentType.includes('text/event-stream')) {
    const restored = new Response(restoreSseStream(body, placeholders), init);
    restored.headers.delete('content-length');
    return restored;
  }
  if (!contentType.includes('json') && contentType !== '') return response;
  const known = ctx.knownAnswer;
  const text = known !== null && known.response === response ? known.text : await response.text();
  const restored = restoreJsonBody(text, placeholders);
  if (recordOriginals && ctx.responseBody !== null) ctx.responseBody = restoreJsonBody(ctx.responseBody, placeholders);
  // Nothing to restore: the answer goes on as it came, unread.
  if (restored === text && known !== null && known.response === response) return response;
  const out = new Response(restored, init);
  if (restored !== text) out.headers.delete('content-length');
  ctx.knownAnswer = { response: out, text: restored };
  return out;
}

/**
 * Creates the PII filter. It scans every text of the request (system, user, assistant and tool
 * messages, tool arguments and results, in OpenAI, Anthropic and Gemini shapes) for emails, phone
 * numbers, credit cards (Luhn-checked), IBANs (mod-97), US SSNs, IP addresses, API keys and private
 * keys, plus your own patterns and word lists; then each rule redacts, masks, blocks or logs.
 * Records and `guard:match` events never carry the values found.
 * @param options What to look for and what to do.
 * @param options.mode What every rule does unless `rules` says otherwise. @default 'redact'
 * @param options.rules Per-rule mode or `false`. @default every built-in rule on
 * @param options.patterns Custom regex rules `{ name, regex, mode? }`. @default []
 * @param options.words Custom word lists `{ name, list, caseSensitive?, mode? }`. @default []
 * @param options.restore Put original values back into the answer. @default true
 * @param options.recordOriginals Keep original values in the record. @default false
 * @param options.maxScanChars The most characters of text scanned per call. @default 16_000_000
 * @param options.maxScanMs How long one call's scan may take (checked between 64 K slices). @default 5000
 * @param options.onScanLimit Over a scan limit: `block` (400) or `allow` (sent partly scanned). @default 'block'
 * @returns The middleware; put it first in `use` (or right after `guard()`).
 * @throws {SluiceConfigError} when an option is invalid, with paths such as `pii().rules.emial`.
 * @example
 * import { createSluice } from 'sluice';
 * import { pii } from 'sluice/plugins';
 *
 * const sluice = createSluice({
 *   use: [pii({ rules: { 'credit-card': 'block', ipv4: false }, words: [{ name: 'codename', list: ['Project Falcon'] }] })],
 * });
 */
export function pii(options?: PiiOptions): Middleware & PluginLifecycle {
  const resolved = resolvePiiOptions(options);
  const middleware = async function pii(ctx: CallContext, next: Next): Promise<Response> {
    const body = ctx.body;
    if (typeof body !== 'object' || body === null || resolved.detectors.length === 0) return next(ctx);
    const dialect: string = ctx.dialect;
    const scan = new PiiScan(resolved, ctx.bodyText);
    // A body of one slice or less is scanned as it is rewritten; a larger one is scanned first, in slices.
    const bodyChars = ctx.bodyText?.length ?? Infinity;
    if (bodyChars > Math.min(SCAN_SLICE_CHARS, resolved.limits.maxScanChars)) await scanAhead(ctx, body, scan, resolved);
    const sent = mapTextFields(dialect, ctx.operation, body, scan.visit);
    if (!scan.matched) return next(ctx);
    report(ctx, scan, resolved);

    if (scan.blocked.length > 0) {
      // The refusal is recorded with the request body: never with the values that caused it.
      if (!resolved.recordOriginals) ctx.setBody(mapTextFields(dialect, ctx.operation, body, scan.recordedText));
      throw new SluiceError('sluice_pii_blocked', blockMessage(scan), { status: 400 });
    }
    if (sent !== body) ctx.setBody(sent);
    // The record is built after the end listeners run: they choose which body it shows.
    if (resolved.recordOriginals) {
      if (sent !== body) ctx.onEnd((ended) => ended.setBody(body));
    } else if (scan.hasRecordedChanges) {
      const recorded = mapTextFields(dialect, ctx.operation, body, scan.recordedText);
      ctx.onEnd((ended) => ended.setBody(recorded));
    }

    const response = await next(ctx);
    if (!resolved.restore || scan.placeholders.size === 0) return response;
    return restoreResponse(ctx, response, scan.placeholders, resolved.recordOriginals);
  };
  // The values found are kept only with recordOriginals (in the record's body, which zero retention turns off anyway).
  return Object.assign(middleware, {
    retains: () => (resolved.recordOriginals ? "pii({ recordOriginals: true }) keeps the values found in records; under retention: 'none' leave it off" : undefined),
  });
}

markPluginFactory(pii, 'pii');
