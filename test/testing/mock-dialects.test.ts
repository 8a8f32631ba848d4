import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { classifyRoute } from '../../src/testing/mock/dialects.js';
import { createMockProvider, type MockProvider } from '../../src/testing/mock-provider.js';

let mock: MockProvider;

beforeEach(async () => {
  mock = await createMockProvider();
});

afterEach(async () => {
  await mock.close();
  expect(mock.openConnections()).toBe(0);
});

const user = 'hello brave new world';
const calls = {
  openai: { path: '/v1/chat/completions', body: { model: 'gpt-4o-mini', messages: [{ role: 'user', content: user }] } },
  azure: { path: '/openai/deployments/dep-1/chat/completions?api-version=2024-10-21', body: { messages: [{ role: 'user', content: user }] } },
  anthropic: { path: '/v1/messages', body: { model: 'claude-opus-4-6', max_tokens: 64, messages: [{ role: 'user', content: user }] } },
  gemini: { path: '/v1beta/models/gemini-2.5-flash:generateContent', body: { contents: [{ role: 'user', parts: [{ text: user }] }] } },
  vertex: {
    path: '/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent',
    body: { contents: [{ role: 'user', parts: [{ text: user }] }] },
  },
  bedrock: { path: `/model/${encodeURIComponent('amazon.nova-pro-v1:0')}/converse`, body: { messages: [{ role: 'user', content: [{ text: user }] }] } },
  ollama: { path: '/api/chat', body: { model: 'llama3.2', stream: false, messages: [{ role: 'user', content: user }] } },
} as const;

type Dialect = keyof typeof calls;

function send(dialect: Dialect, extraHeaders: Record<string, string> = {}): Promise<Response> {
  const { path, body } = calls[dialect];
  return fetch(`${mock.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...extraHeaders },
    body: JSON.stringify(body),
  });
}

/** Every dialect's text out of its non-streaming answer. */
function textOf(dialect: Dialect, body: Record<string, unknown>): string {
  switch (dialect) {
    case 'openai':
    case 'azure':
      return (body as { choices: { message: { content: string } }[] }).choices[0]?.message.content ?? '';
    case 'anthropic':
      return (body as { content: { text: string }[] }).content[0]?.text ?? '';
    case 'gemini':
    case 'vertex':
      return (body as { candidates: { content: { parts: { text: string }[] } }[] }).candidates[0]?.content.parts[0]?.text ?? '';
    case 'bedrock':
      return (body as { output: { message: { content: { text: string }[] } } }).output.message.content[0]?.text ?? '';
    case 'ollama':
      return (body as { message: { content: string } }).message.content;
  }
}

const dialects = Object.keys(calls) as Dialect[];

describe('one queue for every dialect', () => {
  it('answers every dialect deterministically with Echo: <last user text> by default', async () => {
    for (const dialect of dialects) {
      const response = await send(dialect);
      expect(response.status, dialect).toBe(200);
      expect(textOf(dialect, (await response.json()) as Record<string, unknown>), dialect).toBe(`Echo: ${user}`);
    }
    expect(mock.requests.map((request) => request.dialect)).toEqual(dialects);
  });

  it('lets any dialect consume an unrestricted step, FIFO, in its own shape', async () => {
    for (const dialect of dialects) mock.script({ kind: 'reply', content: `for ${dialect}` });
    for (const dialect of dialects) {
      const body = (await (await send(dialect)).json()) as Record<string, unknown>;
      expect(textOf(dialect, body)).toBe(`for ${dialect}`);
    }
    expect(mock.pendingSteps()).toBe(0);
  });

  it('plays error steps in each dialect\'s error shape', async () => {
    for (const _dialect of dialects) mock.script({ kind: 'error', status: 503 });
    const bodies: Record<string, unknown> = {};
    for (const dialect of dialects) {
      const response = await send(dialect);
      expect(response.status).toBe(503);
      bodies[dialect] = await response.json();
    }
    expect(bodies['openai']).toMatchObject({ error: { type: 'server_error' } });
    expect(bodies['azure']).toMatchObject({ error: { type: 'server_error' } });
    expect(bodies['anthropic']).toMatchObject({ type: 'error', error: { type: 'api_error' }, request_id: 'req_3' });
    expect(bodies['gemini']).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
    expect(bodies['vertex']).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
    expect(bodies['bedrock']).toEqual({ message: 'Bedrock is unable to process your request.' });
    expect(bodies['ollama']).toEqual({ error: 'server busy, please try again.  maximum pending requests exceeded' });
  });

  it('does not let count-tokens or model listing consume unrestricted steps', async () => {
    mock.script({ kind: 'error', status: 500 });
    const counted = await fetch(`${mock.url}/v1/messages/count_tokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'claude-opus-4-6', messages: [{ role: 'user', content: user }] }),
    });
    expect(await counted.json()).toEqual({ input_tokens: 9 });
    await fetch(`${mock.url}/v1beta/models/gemini-2.5-flash:countTokens`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(calls.gemini.body),
    });
    await fetch(`${mock.url}/v1/models`);
    expect(mock.pendingSteps()).toBe(1);
  });

  it('matches by dialect and by the model the path names', async () => {
    mock.script(
      { kind: 'reply', content: 'bedrock only', match: { dialect: 'bedrock' } },
      { kind: 'reply', content: 'nova only', match: { model: 'amazon.nova-pro-v1:0' } },
      { kind: 'reply', content: 'deployment only', match: { model: 'dep-1' } },
      { kind: 'reply', content: 'gemini pro only', match: { model: 'gemini-2.5-pro', dialect: 'vertex' } },
    );
    expect(textOf('openai', (await (await send('openai')).json()) as Record<string, unknown>)).toBe(`Echo: ${user}`);
    expect(textOf('vertex', (await (await send('vertex')).json()) as Record<string, unknown>)).toBe('gemini pro only');
    expect(textOf('azure', (await (await send('azure')).json()) as Record<string, unknown>)).toBe('deployment only');
    expect(textOf('bedrock', (await (await send('bedrock')).json()) as Record<string, unknown>)).toBe('bedrock only');
    expect(textOf('bedrock', (await (await send('bedrock')).json()) as Record<string, unknown>)).toBe('nova only');
    expect(mock.pendingSteps()).toBe(0);
  });

  it('uses the fallback for every dialect', async () => {
    await mock.close();
    mock = await createMockProvider({ fallback: { kind: 'error', status: 429 } });
    for (const dialect of dialects) expect((await send(dialect)).status, dialect).toBe(429);
  });

  it('plays reset, raw and step headers in any dialect', async () => {
    mock.script(
      { kind: 'reset' },
      { kind: 'raw', status: 502, headers: { 'content-type': 'text/html' }, body: '<html>Bad Gateway</html>' },
      { kind: 'reply', headers: { 'x-extra': 'yes', 'request-id': 'req_custom' } },
    );
    await expect(send('anthropic')).rejects.toThrow();
    const raw = await send('gemini');
    expect(raw.status).toBe(502);
    expect(await raw.text()).toBe('<html>Bad Gateway</html>');
    const headed = await send('anthropic');
    expect(headed.headers.get('x-extra')).toBe('yes');
    expect(headed.headers.get('request-id')).toBe('req_custom');
  });

  it('answers an oversized body with the dialect\'s 413, consuming no step', async () => {
    await mock.close();
    mock = await createMockProvider({ maxBodyBytes: 16 });
    mock.script({ kind: 'reply' });
    const response = await send('anthropic');
    expect(response.status).toBe(413);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'request_too_large' } });
    expect(mock.pendingSteps()).toBe(1);
  });

  it('checks Vertex bearer tokens against apiKey when no token endpoint is configured', async () => {
    await mock.close();
    mock = await createMockProvider({ apiKey: 'shared' });
    expect((await send('vertex', { authorization: 'Bearer shared' })).status).toBe(200);
    expect((await send('vertex', { authorization: 'Bearer other' })).status).toBe(401);
    expect((await send('bedrock')).status).toBe(200);
  });

  it('refuses an unknown match.dialect when scripted', () => {
    expect(() => mock.script({ kind: 'reply', match: { dialect: 'cohere' as 'openai' } })).toThrow(/match\.dialect/);
  });
});

describe('classifyRoute', () => {
  it('names dialect, format, operation, model and streaming from the path', () => {
    expect(classifyRoute('POST', '/model/us.anthropic.claude-3-7-sonnet-20250219-v1%3A0/converse-stream')).toMatchObject({
      dialect: 'bedrock',
      operation: 'converse',
      pathModel: 'us.anthropic.claude-3-7-sonnet-20250219-v1:0',
      isStreamPath: true,
      isModelCall: true,
    });
    expect(classifyRoute('POST', '/v1/projects/p/locations/global/publishers/anthropic/models/claude-opus-4-6:streamRawPredict')).toMatchObject({
      dialect: 'vertex',
      format: 'anthropic',
      pathModel: 'claude-opus-4-6',
      isStreamPath: true,
    });
    expect(classifyRoute('POST', '/v1beta/models/gemini-2.5-flash:streamGenerateContent')).toMatchObject({
      dialect: 'gemini',
      operation: 'generate',
      isStreamPath: true,
    });
    expect(classifyRoute('POST', '/openai/deployments/dep%201/embeddings')).toMatchObject({ dialect: 'azure', operation: 'embeddings', pathModel: 'dep 1' });
    expect(classifyRoute('POST', '/v1/messages/count_tokens')).toMatchObject({ dialect: 'anthropic', isModelCall: false });
    expect(classifyRoute('GET', '/v1/messages')).toMatchObject({ dialect: 'openai', operation: 'other', isModelCall: false });
    expect(classifyRoute('POST', '/v1/files')).toMatchObject({ dialect: 'openai', operation: 'other' });
  });
});
