import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { nextRecord } from '../helpers/sluice.js';

interface Seen {
  method: string;
  path: string;
  headers: IncomingMessage['headers'];
  body: string;
}

const MESSAGE = { id: 'msg_1', type: 'message', role: 'assistant', model: 'claude-x', content: [{ type: 'text', text: 'hi' }], stop_reason: 'end_turn', usage: { input_tokens: 3, output_tokens: 1 } };

/** A server on 127.0.0.1 (its own port: its own origin) that records what reaches it. */
async function serve(handle: (seen: Seen, response: ServerResponse) => void): Promise<{ server: Server; origin: string; seen: Seen[] }> {
  const seen: Seen[] = [];
  const server = createServer((request, response) => {
    let body = '';
    request.setEncoding('utf8');
    request.on('data', (chunk: string) => (body += chunk));
    request.on('end', () => {
      const entry = { method: request.method ?? '', path: request.url ?? '', headers: request.headers, body };
      seen.push(entry);
      handle(entry, response);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, origin: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen };
}

let other: Awaited<ReturnType<typeof serve>>;
let provider: Awaited<ReturnType<typeof serve>>;

beforeAll(async () => {
  other = await serve((_seen, response) => {
    response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(MESSAGE));
  });
  provider = await serve((seen, response) => {
    if (seen.path.startsWith('/away')) {
      response.writeHead(307, { location: `${other.origin}/v1/messages?token=abc` }).end();
    } else if (seen.path.startsWith('/moved')) {
      response.writeHead(308, { location: '/final/v1/messages' }).end();
    } else if (seen.path.startsWith('/see-other')) {
      response.writeHead(303, { location: '/final/v1/messages' }).end();
    } else if (seen.path.startsWith('/loop')) {
      response.writeHead(302, { location: '/loop/v1/messages' }).end();
    } else {
      response.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify(MESSAGE));
    }
  });
});

afterAll(async () => {
  await Promise.all([other, provider].map(({ server }) => new Promise((resolve) => server.close(resolve))));
});

beforeEach(() => {
  other.seen.length = 0;
  provider.seen.length = 0;
});

const KEY = 'sk-ant-configured-0123456789';
const body = JSON.stringify({ model: 'm', max_tokens: 10, messages: [{ role: 'user', content: 'the secret prompt' }] });

function configured(path: string) {
  return createSluice({
    providers: { an: { kind: 'anthropic', baseURL: `${provider.origin}${path}`, apiKey: KEY } },
    models: { m: { target: 'an/claude-x' } },
  });
}

function call(sluice: ReturnType<typeof createSluice>, url: string, headers: Record<string, string> = {}): Promise<Response> {
  return sluice.fetch(url, { method: 'POST', headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01', ...headers }, body });
}

describe('upstream redirects', () => {
  it('never follows a redirect to another origin with a configured key: a 502 naming the provider and the origin', async () => {
    const sluice = configured('/away');
    const ended = nextRecord(sluice);
    const response = await call(sluice, 'https://api.anthropic.com/v1/messages', { 'x-api-key': 'client-key-abcdef' });

    expect(other.seen).toHaveLength(0);
    expect(provider.seen).toHaveLength(1);
    expect(provider.seen[0]!.headers['x-api-key']).toBe(KEY);
    expect(response.status).toBe(502);
    expect(response.headers.get('x-should-retry')).toBe('false');
    const error = ((await response.json()) as { type: string; error: { type: string; message: string } }).error;
    expect(error.message).toContain("provider 'an'");
    expect(error.message).toContain(`HTTP 307, a redirect to ${other.origin}`);
    expect(error.message).not.toContain('token=abc');
    const record = await ended;
    expect(record.error).toMatchObject({ class: 'sluice_upstream_redirect' });
    expect(record.attempts).toMatchObject([{ provider: 'an', status: 307, errorClass: 'redirect' }]);
    expect(record.status).toBe(502);
  });

  it("never follows a redirect to another origin with the SDK's own key (zero config)", async () => {
    const sluice = createSluice();
    const response = await call(sluice, `${provider.origin}/away/v1/messages`, { 'x-api-key': 'client-key-abcdef' });
    expect(other.seen).toHaveLength(0);
    expect(response.status).toBe(502);
    const error = ((await response.json()) as { error: { message: string } }).error;
    expect(error.message).toContain(`the provider at ${provider.origin}`);
  });

  it('follows a 308 within the origin, with the key and the body', async () => {
    const sluice = configured('/moved');
    const response = await call(sluice, 'https://api.anthropic.com/v1/messages');
    expect(response.status).toBe(200);
    expect(provider.seen.map((seen) => seen.path)).toEqual(['/moved/v1/messages', '/final/v1/messages']);
    expect(provider.seen[1]!.headers['x-api-key']).toBe(KEY);
    expect(provider.seen[1]!.body).toBe(provider.seen[0]!.body);
    expect(provider.seen[1]!.body).toContain('the secret prompt');
  });

  it('turns a 303 into a GET without a body, as fetch does', async () => {
    const sluice = configured('/see-other');
    await (await call(sluice, 'https://api.anthropic.com/v1/messages')).arrayBuffer();
    expect(provider.seen[1]).toMatchObject({ method: 'GET', path: '/final/v1/messages', body: '' });
    expect(provider.seen[1]!.headers['content-type']).toBeUndefined();
  });

  it('stops after a bounded number of redirects within the origin', async () => {
    const sluice = configured('/loop');
    const response = await call(sluice, 'https://api.anthropic.com/v1/messages');
    expect(response.status).toBe(502);
    expect(provider.seen.length).toBe(6);
    expect(((await response.json()) as { error: { message: string } }).error.message).toContain('more than 5 redirects');
  });
});
