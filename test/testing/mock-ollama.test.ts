import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createMockProvider, type MockProvider } from '../../src/testing/mock-provider.js';

let mock: MockProvider;

beforeEach(async () => {
  mock = await createMockProvider();
});

afterEach(async () => {
  await mock.close();
  expect(mock.openConnections()).toBe(0);
});

const request = { model: 'llama3.2', messages: [{ role: 'user', content: 'hello brave new world' }] };

function chat(payload: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return fetch(`${mock.url}/api/chat`, { method: 'POST', headers: { 'content-type': 'application/json', ...headers }, body: JSON.stringify(payload) });
}

/** The objects of an NDJSON body, one per line. */
async function lines(response: Response): Promise<Record<string, unknown>[]> {
  const text = await response.text();
  expect(text.endsWith('\n')).toBe(true);
  return text
    .split('\n')
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line) as Record<string, unknown>);
}

describe('Ollama /api/chat', () => {
  it('streams NDJSON by default: content deltas, then a done line with counts and durations', async () => {
    const response = await chat(request);
    expect(response.headers.get('content-type')).toBe('application/x-ndjson');
    const list = await lines(response);
    expect(list.length).toBeGreaterThanOrEqual(4);
    const text = list.map((line) => (line['message'] as { content: string }).content).join('');
    expect(text).toBe('Echo: hello brave new world');
    for (const line of list.slice(0, -1)) expect(line).toMatchObject({ model: 'llama3.2', done: false, message: { role: 'assistant' } });
    expect(list.at(-1)).toMatchObject({
      done: true,
      done_reason: 'stop',
      prompt_eval_count: 9,
      eval_count: 7,
      total_duration: expect.any(Number) as unknown,
      eval_duration: expect.any(Number) as unknown,
    });
    expect(mock.requests[0]?.dialect).toBe('ollama');
  });

  it('answers one object with stream: false', async () => {
    const response = await chat({ ...request, stream: false });
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(await response.json()).toMatchObject({
      model: 'llama3.2',
      message: { role: 'assistant', content: 'Echo: hello brave new world' },
      done: true,
      done_reason: 'stop',
      prompt_eval_count: 9,
      eval_count: 7,
    });
  });

  it('sends whole tool_calls with object arguments, thinking deltas, and scripted usage', async () => {
    mock.script({
      kind: 'reply',
      thinking: 'Check the weather.',
      toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }],
      usage: { prompt_tokens: 31, completion_tokens: 117 },
    });
    const list = await lines(await chat(request));
    const thinking = list.map((line) => (line['message'] as { thinking?: string }).thinking ?? '').join('');
    expect(thinking).toBe('Check the weather.');
    const calls = list.flatMap((line) => (line['message'] as { tool_calls?: unknown[] }).tool_calls ?? []);
    expect(calls).toEqual([{ function: { name: 'get_weather', arguments: { city: 'Oslo' } } }]);
    expect(list.at(-1)).toMatchObject({ done: true, done_reason: 'stop', prompt_eval_count: 31, eval_count: 117 });

    mock.script({ kind: 'reply', content: 'cut', finishReason: 'length' });
    expect(await (await chat({ ...request, stream: false })).json()).toMatchObject({ done_reason: 'length' });
  });

  it('errors as {"error": "..."} bodies, and 400 without a model', async () => {
    mock.script({ kind: 'error', status: 404, message: "model 'nope' not found" });
    const missing = await chat(request);
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "model 'nope' not found" });
    const noModel = await chat({ messages: [] });
    expect(noModel.status).toBe(400);
    expect(await noModel.json()).toEqual({ error: 'model is required' });
  });

  it('mid-stream-error: an {"error"} line after N lines, status 200 and no done line', async () => {
    mock.script({ kind: 'mid-stream-error', afterChunks: 2, message: 'model runner has unexpectedly stopped' });
    const response = await chat(request);
    expect(response.status).toBe(200);
    const list = await lines(response);
    expect(list).toHaveLength(3);
    expect(list[2]).toEqual({ error: 'model runner has unexpectedly stopped' });
  });

  it('malformed: a line whose JSON is cut', async () => {
    mock.script({ kind: 'malformed', afterChunks: 1 });
    const text = await (await chat(request)).text();
    const [good, broken] = text.split('\n');
    expect(() => JSON.parse(good ?? '')).not.toThrow();
    expect(() => JSON.parse(broken ?? '')).toThrow();
  });

  it('checks apiKey as a bearer token (Ollama Cloud)', async () => {
    await mock.close();
    mock = await createMockProvider({ apiKey: 'ollama-key' });
    expect((await chat(request, { authorization: 'Bearer ollama-key' })).status).toBe(200);
    const refused = await chat(request);
    expect(refused.status).toBe(401);
    expect(await refused.json()).toEqual({ error: 'unauthorized' });
  });
});
