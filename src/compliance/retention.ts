/**
 * Zero data retention's request rules (`retention: 'none'`): the per-request retention switches the
 * providers' APIs have, set so that nothing is stored, and the features that need stored state refused.
 * What each provider documents is summarised in docs/compliance.md.
 * @module
 */
import type { CallContext } from '../core/context.js';
import { SluiceError } from '../core/errors.js';

const CODE = 'sluice_zero_retention';

function refuse(what: string, instead: string): never {
  throw new SluiceError(CODE, `${what} is refused under retention: 'none' (zero data retention): ${instead}`, { status: 400 });
}

/**
 * Applies zero retention to one call's request, or refuses it (400 `sluice_zero_retention`, in the SDK's dialect):
 * - OpenAI Responses (and every OpenAI-compatible Responses API: xAI, Fireworks...): sent with
 *   `store: false` (that API stores by default); `previous_response_id`, `conversation` and
 *   `background: true` need stored responses and are refused.
 * - OpenAI Chat Completions: `store: true` (stored completions) is sent as `store: false`.
 * - Gemini: Grounding with Google Search (Google keeps its prompts and answers for 30 days) and
 *   `cachedContent` (a stored context cache) are refused.
 * Anthropic's Messages API has no per-request switch: its zero retention is an organisation agreement.
 * @param ctx The call.
 * @throws {SluiceError} when the call needs something stored.
 */
export function applyZeroRetention(ctx: CallContext): void {
  const body = ctx.body;
  if (typeof body !== 'object' || body === null || Array.isArray(body)) return;
  const fields = body as Record<string, unknown>;
  if (ctx.dialect === 'openai' && ctx.operation === 'responses') {
    if (fields['previous_response_id'] != null) refuse('previous_response_id (a response the provider stored)', 'responses are sent with store: false, so send the whole conversation in `input` instead');
    if (fields['conversation'] != null) refuse('conversation (a conversation the provider stores)', 'send the whole conversation in `input` instead');
    if (fields['background'] === true) refuse('background: true (background responses are stored)', 'make the call in the foreground');
    if (fields['store'] !== false) ctx.setBody({ ...fields, store: false });
  } else if (ctx.dialect === 'openai' && ctx.operation === 'chat') {
    if (fields['store'] === true) ctx.setBody({ ...fields, store: false });
  } else if (ctx.dialect === 'gemini') {
    if (fields['cachedContent'] != null) refuse('cachedContent (a context cache the provider stores)', 'send the content with the call');
    const tools = Array.isArray(fields['tools']) ? (fields['tools'] as unknown[]) : [];
    for (const tool of tools) {
      if (typeof tool === 'object' && tool !== null && ('googleSearch' in tool || 'googleSearchRetrieval' in tool)) {
        refuse('Grounding with Google Search (Google keeps its prompts and answers for 30 days)', 'remove the googleSearch tool');
      }
    }
  }
}
