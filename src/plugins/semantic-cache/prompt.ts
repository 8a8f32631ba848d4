/**
 * Splits a request in two: the conversation's text, which is embedded and matched approximately, and
 * everything else, which is matched exactly. The text is every string `text-fields.ts` finds (system
 * prompt, messages, tool calls and results, in every dialect), one line per text with its role. The
 * exact key is the request with those strings emptied: model, tools, sampling parameters, response
 * format, images and files, the number, order and roles of messages, plus the dialect, operation,
 * requested model, stream shape and embedder, hashed like the exact cache's key.
 * @module
 */
import type { CallContext } from '../../core/context.js';
import { canonicalJson, convertsShape, hashText, IGNORED_FIELDS } from '../cache-entry.js';
import { mapTextFields } from '../text-fields.js';

/** The exact half of a request. */
export interface ExactKey {
  /** The store key (16 hex characters). */
  key: string;
  /** A second, independent hash of the same text, stored with the answer and compared on a hit. */
  check: string;
  /** The text's length, stored with the answer and compared on a hit. */
  length: number;
}

/** What {@link splitPrompt} returns for a request it can cache. */
export interface SplitPrompt {
  /** The conversation's text, to embed. */
  text: string;
  /** The rest of the request, to match exactly. */
  exact: ExactKey;
}

/**
 * Splits a call's request into the text to embed and the exact key.
 * @param ctx The call (dialect, operation, requested model, stream flag).
 * @param body The parsed request body.
 * @param embedderId What identifies the embedding space.
 * @param maxChars The longest text accepted.
 * @returns The two halves, or `null` when the request has no text or too much of it.
 */
export function splitPrompt(ctx: CallContext, body: unknown, embedderId: string, maxChars: number): SplitPrompt | null {
  let text = '';
  let tooLong = false;
  const rest = mapTextFields(ctx.dialect, ctx.operation, body, (value, _path, role) => {
    if (!tooLong) {
      text += `${text === '' ? '' : '\n'}${role}: ${value}`;
      tooLong = text.length > maxChars;
    }
    return '';
  });
  if (tooLong || text === '') return null;
  // Chat answers convert between stream and JSON (as in the exact cache): one key for both shapes.
  const shape = convertsShape(ctx) ? '*' : ctx.isStream ? 'stream' : 'json';
  const canonical = `semantic\n${embedderId}\n${ctx.dialect}\n${ctx.operation}\n${ctx.requestedModel ?? ''}\n${shape}\n${canonicalJson(rest, IGNORED_FIELDS)}`;
  const hashed = hashText(canonical);
  return { text, exact: { key: hashed.key, check: hashed.check, length: canonical.length } };
}
