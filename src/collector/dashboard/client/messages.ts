/**
 * Reads the conversation out of a recorded request or response body (OpenAI chat and Responses,
 * Anthropic Messages, Gemini generateContent), so the detail view can show who said what. Pure; the
 * result is plain text, rendered as text.
 * @module
 */

/** One turn of a conversation. */
export interface Message {
  role: string;
  text: string;
}

const MAX_MESSAGES = 200;

type Json = Record<string, unknown>;
const isObject = (value: unknown): value is Json => typeof value === 'object' && value !== null && !Array.isArray(value);
const asArray = (value: unknown): unknown[] => (Array.isArray(value) ? value : []);

function text(content: unknown): string {
  if (typeof content === 'string') return content;
  const pieces: string[] = [];
  for (const part of asArray(content)) {
    if (typeof part === 'string') pieces.push(part);
    else if (isObject(part)) {
      if (typeof part.text === 'string') pieces.push(part.text);
      else if (typeof part.type === 'string') pieces.push(`[${part.type}]`);
      else if (isObject(part.functionCall) && typeof part.functionCall.name === 'string') pieces.push(`[call ${part.functionCall.name}]`);
    }
  }
  return pieces.join('\n');
}

/**
 * The turns of a JSON body, or `null` when it is not a body this recognises (then show it raw).
 * @param body The recorded body text.
 */
export function extractMessages(body: string | null): Message[] | null {
  if (body === null) return null;
  let parsed: unknown;
  try {
    parsed = JSON.parse(body);
  } catch {
    return null;
  }
  if (!isObject(parsed)) return null;
  const messages: Message[] = [];
  const add = (role: unknown, content: unknown): void => {
    const value = text(content);
    if (messages.length < MAX_MESSAGES && value !== '') messages.push({ role: typeof role === 'string' ? role : 'unknown', text: value });
  };
  // Anthropic's and Gemini's system prompts sit beside the messages.
  if (parsed.system !== undefined) add('system', parsed.system);
  if (isObject(parsed.systemInstruction)) add('system', parsed.systemInstruction.parts);
  for (const message of asArray(parsed.messages)) if (isObject(message)) add(message.role, message.content);
  for (const content of asArray(parsed.contents)) if (isObject(content)) add(content.role ?? 'user', content.parts);
  if (typeof parsed.instructions === 'string') add('system', parsed.instructions);
  if (typeof parsed.input === 'string') add('user', parsed.input);
  for (const item of asArray(parsed.input)) if (isObject(item)) add(item.role, item.content);
  // Answers: Chat Completions choices, Anthropic content blocks, Gemini candidates, Responses output.
  for (const choice of asArray(parsed.choices)) if (isObject(choice) && isObject(choice.message)) add(choice.message.role ?? 'assistant', choice.message.content);
  if (parsed.type === 'message' && Array.isArray(parsed.content)) add(parsed.role ?? 'assistant', parsed.content);
  for (const candidate of asArray(parsed.candidates)) if (isObject(candidate) && isObject(candidate.content)) add(candidate.content.role ?? 'model', candidate.content.parts);
  for (const item of asArray(parsed.output)) if (isObject(item) && item.type === 'message') add(item.role ?? 'assistant', item.content);
  return messages.length > 0 ? messages : null;
}
