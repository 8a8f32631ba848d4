import OpenAI, { AuthenticationError, AzureOpenAI, InternalServerError, RateLimitError } from 'openai';
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

const apiVersion = '2024-10-21';
const deployment = 'my-gpt4o';

function azure(apiKey = 'azure-key'): AzureOpenAI {
  return new AzureOpenAI({ endpoint: mock.url, apiKey, apiVersion, deployment, maxRetries: 0, logLevel: 'off' });
}

const messages = [{ role: 'user' as const, content: 'hello brave new world' }];

describe('Azure OpenAI', () => {
  it('answers /openai/deployments/{deployment}/chat/completions with the deployment as model and filter results', async () => {
    const { data: completion, response } = await azure()
      .chat.completions.create({ model: 'ignored', messages })
      .withResponse();
    expect(completion.model).toBe(deployment);
    expect(completion.choices[0]?.message.content).toBe('Echo: hello brave new world');
    expect(completion).toMatchObject({ prompt_filter_results: [{ prompt_index: 0 }] });
    expect(completion.choices[0]).toMatchObject({ content_filter_results: { hate: { filtered: false, severity: 'safe' } } });
    expect(response.headers.get('apim-request-id')).toBe('req_1');
    expect(response.headers.get('x-ratelimit-remaining-requests')).toBe('99');
    expect(mock.requests[0]).toMatchObject({
      dialect: 'azure',
      path: `/openai/deployments/${deployment}/chat/completions`,
      query: `api-version=${apiVersion}`,
    });
    expect(mock.requests[0]?.headers['api-key']).toBe('azure-key');
  });

  it('streams a first filter-only chunk with choices: [], then the usual chunks', async () => {
    const stream = await azure().chat.completions.create({ model: 'ignored', messages, stream: true });
    const chunks = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks[0]).toMatchObject({ id: '', model: '', choices: [], prompt_filter_results: [{ prompt_index: 0 }] });
    const text = chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
    expect(text).toBe('Echo: hello brave new world');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('streams tool calls that the SDK reassembles, and ignores thinking as Chat Completions does', async () => {
    mock.script({ kind: 'reply', thinking: 'hidden', toolCalls: [{ name: 'get_weather', arguments: '{"city":"Oslo"}' }] });
    const stream = azure().chat.completions.stream({ model: 'ignored', messages });
    const completion = await stream.finalChatCompletion();
    expect(completion.choices[0]?.message.tool_calls).toEqual([
      { id: 'call_mock1_0', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
    ]);
    expect(completion.choices[0]?.finish_reason).toBe('tool_calls');
    expect(JSON.stringify(completion)).not.toContain('hidden');
  });

  it('answers embeddings on the deployment route', async () => {
    const embeddings = await azure().embeddings.create({ model: 'ignored', input: 'hello', encoding_format: 'float' });
    expect(embeddings.model).toBe(deployment);
    expect(embeddings.data[0]?.embedding).toHaveLength(8);
  });

  it('serves the v1 route (no api-version) with the OpenAI client, the body naming the deployment', async () => {
    const client = new OpenAI({ baseURL: `${mock.url}/openai/v1`, apiKey: 'azure-key', maxRetries: 0, logLevel: 'off' });
    const completion = await client.chat.completions.create({ model: deployment, messages });
    expect(completion.model).toBe(deployment);
    expect(mock.requests[0]).toMatchObject({ dialect: 'azure', path: '/openai/v1/chat/completions', query: '' });
    const response = await client.responses.create({ model: deployment, input: 'hi' });
    expect(response.output_text).toBe('Echo: hi');
  });

  it('answers a dated route without api-version with Azure 404 and consumes no step', async () => {
    mock.script({ kind: 'error', status: 500 });
    const response = await fetch(`${mock.url}/openai/deployments/${deployment}/chat/completions`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ messages }),
    });
    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({ error: { code: '404', message: 'Resource not found' } });
    expect(mock.pendingSteps()).toBe(1);
  });

  it('checks apiKey in the api-key header with Azure 401', async () => {
    await mock.close();
    mock = await createMockProvider({ apiKey: 'azure-key' });
    await expect(azure().chat.completions.create({ model: 'ignored', messages })).resolves.toBeDefined();
    const error = await azure('wrong')
      .chat.completions.create({ model: 'ignored', messages })
      .catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(AuthenticationError);
    expect((error as AuthenticationError).error).toMatchObject({ code: '401' });
  });

  it('rate-limit: Azure 429 body with retry-after and retry-after-ms; error steps keep OpenAI bodies', async () => {
    mock.script({ kind: 'rate-limit', retryAfterS: 6 }, { kind: 'error', status: 500 });
    const limited = await azure()
      .chat.completions.create({ model: 'ignored', messages })
      .catch((caught: unknown) => caught);
    expect(limited).toBeInstanceOf(RateLimitError);
    const headers = (limited as RateLimitError).headers;
    expect(headers.get('retry-after')).toBe('6');
    expect(headers.get('retry-after-ms')).toBe('6000');
    expect((limited as RateLimitError).error).toMatchObject({ code: '429' });
    expect((limited as RateLimitError).message).toContain(`API version ${apiVersion}`);

    const server = await azure()
      .chat.completions.create({ model: 'ignored', messages })
      .catch((caught: unknown) => caught);
    expect(server).toBeInstanceOf(InternalServerError);
    expect((server as InternalServerError).error).toMatchObject({ type: 'server_error' });
  });
});
