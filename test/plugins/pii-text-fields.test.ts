import { describe, expect, it } from 'vitest';
import { forEachTextField, mapTextFields, type TextRole } from '../../src/plugins/text-fields.js';

const upper = (text: string): string => text.toUpperCase();

function visited(dialect: string, operation: string, body: unknown, roles: ReadonlySet<TextRole> | null = null): string[] {
  const out: string[] = [];
  forEachTextField(dialect, operation, body, (text, path, role) => out.push(`${role} ${path}: ${text}`), roles);
  return out;
}

describe('mapTextFields', () => {
  it('rebuilds only the branches whose text changed', () => {
    const body = {
      model: 'gpt-4o-mini',
      messages: [
        { role: 'system', content: 'KEEP' },
        { role: 'user', content: [{ type: 'text', text: 'change me' }, { type: 'image_url', image_url: { url: 'https://x/y.png' } }] },
      ],
    };
    const out = mapTextFields('openai', 'chat', body, upper) as typeof body;
    expect(out).not.toBe(body);
    expect(out.messages[0]).toBe(body.messages[0]);
    expect(out.messages[1]!.content[1]).toBe(body.messages[1]!.content[1]);
    expect(out.messages[1]!.content[0]).toEqual({ type: 'text', text: 'CHANGE ME' });
    expect(body.messages[1]!.content[0]).toEqual({ type: 'text', text: 'change me' });
    expect(mapTextFields('openai', 'chat', body, (text) => text)).toBe(body);
  });

  it('visits only the roles asked for', () => {
    const body = {
      messages: [
        { role: 'system', content: 's' },
        { role: 'developer', content: 'd' },
        { role: 'user', content: 'u' },
        { role: 'assistant', content: 'a', tool_calls: [{ id: 'c', type: 'function', function: { name: 'f', arguments: '{"q":"x"}' } }] },
        { role: 'tool', tool_call_id: 'c', content: 't' },
      ],
    };
    expect(visited('openai', 'chat', body, new Set<TextRole>(['user', 'tool']))).toEqual(['user messages[2].content: u', 'tool messages[4].content: t']);
    expect(visited('openai', 'chat', body, new Set<TextRole>(['system', 'assistant']))).toEqual([
      'system messages[0].content: s',
      'system messages[1].content: d',
      'assistant messages[3].content: a',
      'assistant messages[3].tool_calls[0].function.arguments.q: x',
    ]);
  });

  it('treats tool-call arguments that are not a JSON object as text, and re-serialises changed JSON', () => {
    const body = {
      messages: [
        { role: 'assistant', tool_calls: [{ function: { arguments: 'not json' } }, { function: { arguments: '["a", {"b": "c"}]' } }] },
      ],
    };
    const out = mapTextFields('openai', 'chat', body, upper) as typeof body;
    expect(out.messages[0]!.tool_calls.map((call) => call.function.arguments)).toEqual(['NOT JSON', '["A",{"b":"C"}]']);
  });

  it('skips data: URLs and bounds the depth of tool inputs', () => {
    let deep: unknown = 'bottom';
    for (let level = 0; level < 40; level++) deep = { next: deep };
    const body = { messages: [{ role: 'assistant', content: [{ type: 'tool_use', id: 't', name: 'f', input: { file: 'data:text/plain,secret', deep } }] }] };
    expect(visited('anthropic', 'chat', body)).toEqual([]);
  });

  it('keeps a "__proto__" key an own property without touching prototypes', () => {
    const input = JSON.parse('{"__proto__": {"polluted": "yes"}}') as unknown;
    const body = { contents: [{ role: 'model', parts: [{ functionCall: { name: 'f', args: input } }] }] };
    const out = mapTextFields('gemini', 'chat', body, upper) as { contents: Array<{ parts: Array<{ functionCall: { args: object } }> }> };
    const args = out.contents[0]!.parts[0]!.functionCall.args;
    expect(Object.getOwnPropertyDescriptor(args, '__proto__')?.value).toEqual({ polluted: 'YES' });
    expect(({} as { polluted?: string }).polluted).toBeUndefined();
  });

  it('reads Responses custom tool calls, Anthropic text documents and Gemini string system instructions', () => {
    expect(
      visited('openai', 'responses', {
        input: [
          { type: 'custom_tool_call', call_id: 'c', name: 'sh', input: 'ls' },
          { type: 'custom_tool_call_output', call_id: 'c', output: 'file.txt' },
          { type: 'reasoning', id: 'r', summary: [{ type: 'summary_text', text: 'hidden' }] },
        ],
      }),
    ).toEqual(['assistant input[0].input: ls', 'tool input[1].output: file.txt']);
    expect(
      visited('anthropic', 'chat', {
        messages: [{ role: 'user', content: [{ type: 'document', source: { type: 'text', media_type: 'text/plain', data: 'doc text' } }] }],
      }),
    ).toEqual(['user messages[0].content[0].source.data: doc text']);
    expect(visited('gemini', 'chat', { systemInstruction: 'be brief', contents: [{ parts: [{ text: 'hi', thought: true }, { text: 'yo' }] }] })).toEqual([
      'system systemInstruction: be brief',
      'user contents[0].parts[1].text: yo',
    ]);
  });

  it('returns anything that is not an object unchanged', () => {
    expect(mapTextFields('openai', 'chat', 'text', upper)).toBe('text');
    expect(mapTextFields('openai', 'chat', null, upper)).toBeNull();
  });
});
