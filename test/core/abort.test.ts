import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, messages, nextRecord, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

describe('a stream the SDK aborts without reading', () => {
  it.each([
    ['passed through', 'gpt-4o-mini'],
    ['translated', 'an/claude-sonnet-4-5'],
  ])('%s: the call still ends once, cancelled, and its end listeners run', async (_name, model) => {
    const sluice = createSluice({
      providers: { an: { kind: 'anthropic', baseURL: mock.url, apiKey: 'k-123456789' } },
      unknownModel: 'forward',
    });
    let ended = 0;
    sluice.use(async (ctx, next) => {
      ctx.onEnd(() => ended++);
      return next(ctx);
    });
    mock.script({ kind: 'reply', content: 'a long answer that nobody reads', chunkDelayMs: 50 });
    const recorded = nextRecord(sluice);
    const stream = await clientFor(sluice, mock.baseURL).chat.completions.create({ model, messages, stream: true });
    stream.controller.abort();
    const record = await recorded;
    expect(record.outcome).toBe('cancelled');
    expect(ended).toBe(1);
    await sluice.close();
  });
});
