/**
 * A slow reader applies back-pressure upstream: Sluice reads the provider's stream only as fast as
 * the SDK reads Sluice's, for pass-through and translated streams alike, and cancelling cancels upstream.
 */
import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';

const encoder = new TextEncoder();

/** An upstream SSE stream of `total` events that counts how often it is pulled and whether it was cancelled. */
function countingUpstream(event: (index: number) => string, total: number, last: string) {
  const state = { pulls: 0, cancelled: false };
  const body = new ReadableStream<Uint8Array>(
    {
      pull(controller) {
        state.pulls++;
        if (state.pulls > total) {
          controller.enqueue(encoder.encode(last));
          controller.close();
          return;
        }
        controller.enqueue(encoder.encode(event(state.pulls)));
      },
      cancel() {
        state.cancelled = true;
      },
    },
    { highWaterMark: 0 },
  );
  return { state, fetch: (async () => new Response(body, { headers: { 'content-type': 'text/event-stream' } })) as typeof fetch };
}

const openaiChunk = (index: number): string =>
  `data: ${JSON.stringify({ id: 'c', object: 'chat.completion.chunk', created: 1, model: 'm', choices: [{ index: 0, delta: { content: `w${index} ` }, finish_reason: null }] })}\n\n`;
const anthropicDelta = (index: number): string =>
  index === 1
    ? `event: message_start\ndata: ${JSON.stringify({ type: 'message_start', message: { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude', content: [], stop_reason: null, usage: { input_tokens: 3, output_tokens: 0 } } })}\n\n`
    : `event: content_block_delta\ndata: ${JSON.stringify({ type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: `w${index} ` } })}\n\n`;

async function turns(count: number): Promise<void> {
  for (let index = 0; index < count; index++) await new Promise((resolve) => setImmediate(resolve));
}

describe('back-pressure', () => {
  it.each([
    ['pass-through', openaiChunk, 'data: [DONE]\n\n', 'gpt-4o-mini', false],
    ['translated (Anthropic upstream, OpenAI SDK)', anthropicDelta, 'event: message_stop\ndata: {"type":"message_stop"}\n\n', 'an/claude', true],
  ] as const)('%s: upstream is read only as the SDK reads, and cancel reaches it', async (_name, event, last, model, translated) => {
    const upstream = countingUpstream(event, 1000, last);
    const sluice = createSluice(
      translated
        ? { providers: { an: { kind: 'anthropic', baseURL: 'http://127.0.0.1:9', apiKey: 'k-123456789' } }, fetch: upstream.fetch }
        : { fetch: upstream.fetch, streamUsage: false },
    );
    const response = await sluice.fetch('https://api.openai.com/v1/chat/completions', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ model, stream: true, messages: [{ role: 'user', content: 'hi' }] }),
    });
    const reader = response.body!.getReader();
    for (let index = 0; index < 5; index++) await reader.read();
    await turns(50);
    // Five reads by the SDK; nothing read ahead but what one pull needs.
    expect(upstream.state.pulls).toBeLessThanOrEqual(8);
    await reader.cancel();
    expect(upstream.state.cancelled).toBe(true);
    await sluice.close();
  });
});
