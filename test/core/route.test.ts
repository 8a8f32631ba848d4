import { type APIError, NotFoundError } from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSluice, type Sluice } from '../../src/core/sluice.js';
import type { SluiceEvent } from '../../src/events/types.js';
import { createMockProvider, type MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, messages, nextRecord, rejection } from '../helpers/sluice.js';

/** The provider configured in Sluice. */
let local: MockProvider;
/** Where the SDK itself points. */
let upstream: MockProvider;

beforeAll(async () => {
  [local, upstream] = await Promise.all([createMockProvider(), createMockProvider()]);
});

afterAll(async () => {
  await Promise.all([local.close(), upstream.close()]);
});

beforeEach(() => {
  local.reset();
  upstream.reset();
});

function routed(extra: Parameters<typeof createSluice>[0] = {}): Sluice {
  return createSluice({
    providers: { local: { kind: 'openai', baseURL: local.baseURL, apiKey: 'provider-key' } },
    models: { fast: { target: 'local/gpt-4o-mini' } },
    ...extra,
  });
}

function everyEvent(sluice: Sluice): SluiceEvent[] {
  const events: SluiceEvent[] = [];
  for (const type of ['request:start', 'request:end', 'request:error', 'passthrough:end'] as const) sluice.on(type, (event) => void events.push(event));
  return events;
}

describe('provider routing', () => {
  it('sends provider/model to the configured provider with its key, and other models to the SDK URL', async () => {
    const sluice = routed({ unknownModel: 'forward' });
    const events = everyEvent(sluice);
    const client = clientFor(sluice, upstream.baseURL);

    const { data, response } = await client.chat.completions.create({ model: 'local/gpt-4o-mini', messages }).withResponse();
    expect(local.requests).toHaveLength(1);
    const sent = local.requests[0]!;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers['authorization']).toBe('Bearer provider-key');
    expect((sent.body as { model: string }).model).toBe('gpt-4o-mini');
    for (const value of Object.values(sent.headers)) expect(value).not.toContain('client-key');

    await client.chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(upstream.requests).toHaveLength(1);
    expect(upstream.requests[0]!.headers['authorization']).toBe('Bearer client-key');
    expect(local.requests).toHaveLength(1);

    await sluice.flush();
    // The provider key leaks nowhere the application can see.
    const visible = JSON.stringify([events, data, [...response.headers]]);
    expect(visible).not.toContain('provider-key');
    const [first, second] = events.filter((event) => event.type === 'request:end').map((event) => event.record);
    expect(first).toMatchObject({ provider: 'local', requestedModel: 'local/gpt-4o-mini', model: 'gpt-4o-mini', outcome: 'completed' });
    expect(second).toMatchObject({ provider: null, requestedModel: 'gpt-4o-mini', outcome: 'completed' });
  });

  it('keeps the provider key out of records even when the body or response repeats it', async () => {
    const sluice = routed();
    const ended = nextRecord(sluice);
    await clientFor(sluice, upstream.baseURL).chat.completions.create({ model: 'local/gpt-4o-mini', messages: [{ role: 'user', content: 'my key is provider-key' }] });
    const record = await ended;
    expect(JSON.stringify(record)).not.toContain('provider-key');
    expect(record.requestBody).toContain('[REDACTED]');
  });

  it('rejects a model of an unknown provider, naming the providers', async () => {
    const sluice = routed();
    const error = await rejection(clientFor(sluice, upstream.baseURL).chat.completions.create({ model: 'lcoal/gpt-4o-mini', messages }));
    expect(error).toBeInstanceOf(NotFoundError);
    expect((error as APIError).message).toContain("unknown provider 'lcoal'");
    expect((error as APIError).message).toContain('local');
    expect(local.requests).toHaveLength(0);
    expect(upstream.requests).toHaveLength(0);
  });
});

describe('aliases', () => {
  it('sends an alias to its target provider and model', async () => {
    const sluice = routed();
    const ended = nextRecord(sluice);
    const completion = await clientFor(sluice, upstream.baseURL).chat.completions.create({ model: 'fast', messages, stream: true });
    let text = '';
    for await (const chunk of completion) text += chunk.choices[0]?.delta.content ?? '';
    expect(text).toBe('Echo: hello brave new world');
    expect(local.requests[0]!.body).toMatchObject({ model: 'gpt-4o-mini', stream: true, stream_options: { include_usage: true } });
    expect(local.requests[0]!.headers['authorization']).toBe('Bearer provider-key');
    expect(upstream.requests).toHaveLength(0);
    expect(await ended).toMatchObject({ requestedModel: 'fast', provider: 'local', model: 'gpt-4o-mini', outcome: 'completed' });
  });

  it('lists configured aliases with the models of the SDK URL', async () => {
    const sluice = routed();
    const ids = [];
    for await (const model of clientFor(sluice, upstream.baseURL).models.list()) ids.push(model.id);
    expect(ids).toContain('gpt-4o-mini');
    expect(ids).toContain('fast');
    expect(upstream.requests[0]!.path).toBe('/v1/models');
  });

  it('retrieves an alias from its target provider', async () => {
    const sluice = routed();
    const model = await clientFor(sluice, upstream.baseURL).models.retrieve('fast');
    expect(model.id).toBe('gpt-4o-mini');
    expect(local.requests[0]!.path).toBe('/v1/models/gpt-4o-mini');
  });

  it('answers an unknown alias with a NotFoundError naming the model and the aliases, not to be retried', async () => {
    const sluice = routed();
    const ended = nextRecord(sluice);
    const error = await rejection(clientFor(sluice, upstream.baseURL, { maxRetries: 2 }).chat.completions.create({ model: 'smart', messages }));
    expect(error).toBeInstanceOf(NotFoundError);
    const notFound = error as NotFoundError;
    expect(notFound.message).toContain("'smart'");
    expect(notFound.message).toContain('configured aliases: fast');
    expect(notFound.code).toBe('sluice_unknown_model');
    expect(notFound.headers?.get('x-should-retry')).toBe('false');
    const record = await ended;
    expect(notFound.requestID).toBe(record.id);
    expect(record).toMatchObject({ outcome: 'failed', status: 404, error: { class: 'sluice_unknown_model' } });
    expect(sluice.stats.calls).toBe(1);
    expect(local.requests).toHaveLength(0);
    expect(upstream.requests).toHaveLength(0);
  });
});
