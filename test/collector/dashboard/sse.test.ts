import { describe, expect, it } from 'vitest';
import { SseParser, type SseMessage } from '../../../src/collector/dashboard/client/sse.js';

describe('dashboard SSE parser', () => {
  it('joins data lines, keeps event names and ids, across arbitrary chunk cuts', () => {
    const messages: SseMessage[] = [];
    const parser = new SseParser((message) => messages.push(message));
    const text = ': hello\n\nevent: record\nid: 7\ndata: {"a":\ndata: 1}\n\r\ndata: plain\r\n\r\n';
    for (const character of text) parser.push(character);
    expect(messages).toEqual([
      { event: 'record', id: '7', data: '{"a":\n1}' },
      { event: 'message', id: '7', data: 'plain' },
    ]);
  });

  it('drops an event with no data and strips one leading space only', () => {
    const messages: SseMessage[] = [];
    const parser = new SseParser((message) => messages.push(message));
    parser.push('event: ping\n\ndata:  two\n\n');
    expect(messages).toEqual([{ event: 'message', id: null, data: ' two' }]);
  });

  it('refuses a line longer than its bound instead of growing without end', () => {
    const parser = new SseParser(() => undefined, 16);
    expect(() => parser.push('data: ' + 'x'.repeat(32))).toThrow(/longer than 16/);
  });
});
