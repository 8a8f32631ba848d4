import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StreamableHTTPClientTransport } from '@modelcontextprotocol/sdk/client/streamableHttp.js';
import { createSluice, type CallRecord, type Sluice } from '../../src/index.js';
import { mcp, MCP_ERROR, type McpOptions } from '../../src/mcp/index.js';
import { startMcpHttpServer, type McpHttpServer, type McpHttpServerOptions } from './http-server.js';
// @ts-expect-error: a plain ES module without types
import { BIG_BYTES, HIDDEN } from '../fixtures/mcp/tools.mjs';

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function server(options?: McpHttpServerOptions): Promise<McpHttpServer> {
  const started = await startMcpHttpServer(options);
  open.push(started);
  return started;
}

async function connect(url: string, fetch: typeof globalThis.fetch | undefined, headers?: Record<string, string>): Promise<{ client: Client; transport: StreamableHTTPClientTransport }> {
  const client = new Client({ name: 'test', version: '1.0.0' });
  const transport = new StreamableHTTPClientTransport(new URL(url), {
    ...(fetch === undefined ? {} : { fetch }),
    ...(headers === undefined ? {} : { requestInit: { headers } }),
    reconnectionOptions: { initialReconnectionDelay: 5, maxReconnectionDelay: 50, reconnectionDelayGrowFactor: 1.5, maxRetries: 3 },
  });
  await client.connect(transport);
  open.push(client);
  return { client, transport };
}

function governed(url: string, options: Partial<McpOptions> & { server?: McpOptions['servers'][string] } = {}): { sluice: Sluice; records: CallRecord[] } {
  const { server: entry, ...rest } = options;
  const sluice = createSluice({ mcp: mcp({ servers: { fixture: { url, ...entry } }, ...rest }) });
  const records: CallRecord[] = [];
  sluice.on('request:end', ({ record }) => void records.push(record));
  open.push(sluice);
  return { sluice, records };
}

async function scenario(url: string, fetch: typeof globalThis.fetch | undefined): Promise<unknown[]> {
  const { client, transport } = await connect(url, fetch, { authorization: 'Bearer tok_live_1234567890abcdef' });
  const results: unknown[] = [];
  results.push(await client.listTools());
  results.push(await client.callTool({ name: 'echo', arguments: { text: 'hello' } }));
  results.push(await client.callTool({ name: 'progress', arguments: {} }));
  results.push(await client.readResource({ uri: 'doc://readme' }));
  await transport.terminateSession();
  await client.close();
  return results;
}

/** Waits for records to arrive (they wait for the scrubber, loaded with the instance). */
async function settle(sluice: Sluice): Promise<void> {
  await sluice.flush();
  await new Promise((resolve) => setImmediate(resolve));
}

describe('MCP over Streamable HTTP through sluice.fetch', () => {
  it('with zero config, passes every byte through: the server sees the same requests as with the SDK alone', async () => {
    const alone = await server();
    const direct = await scenario(alone.url, undefined);
    const through = await server();
    const sluice = createSluice();
    open.push(sluice);
    const records: CallRecord[] = [];
    sluice.on('request:end', ({ record }) => void records.push(record));
    const viaSluice = await scenario(through.url, sluice.fetch);
    expect(viaSluice).toEqual(direct);
    const wire = (requests: typeof alone.requests) => requests.map(({ method, url, headers, body }) => ({ method, url, body, headers: { ...headers, host: undefined } }));
    expect(through.requests.length).toBeGreaterThan(4);
    expect(wire(through.requests)).toEqual(wire(alone.requests));
    expect(through.requests.some((request) => request.method === 'DELETE')).toBe(true);
    expect(records).toEqual([]);
    expect(sluice.stats.passthrough).toBe(through.requests.length);
  });

  it('with the server configured, lists and calls tools, reads resources and records each request', async () => {
    const fixture = await server();
    const { sluice, records } = governed(fixture.url);
    const results = await scenario(fixture.url, sluice.fetch);
    expect((results[1] as { content: unknown }).content).toEqual([{ type: 'text', text: 'hello' }]);
    expect((results[2] as { content: unknown }).content).toEqual([{ type: 'text', text: 'done' }]);
    expect((results[3] as { contents: Array<{ text: string }> }).contents[0]!.text).toBe('The readme.');
    await settle(sluice);
    const operations = records.map((record) => record.operation);
    expect(operations).toEqual(['mcp.initialize', 'mcp.tools/list', 'mcp.tools/call', 'mcp.tools/call', 'mcp.resources/read']);
    const echo = records[2]!;
    expect(echo).toMatchObject({ dialect: 'mcp', provider: 'fixture', outcome: 'completed', status: 200, streamed: true, error: null });
    expect(echo.mcp).toMatchObject({ server: 'fixture', method: 'tools/call', target: 'echo', requestId: 2, sessionId: 'session-1', transport: 'http', errorCode: null, toolError: false });
    expect(echo.mcp!.requestBytes).toBeGreaterThan(20);
    expect(echo.mcp!.resultBytes).toBeGreaterThan(20);
    expect(records[4]!.mcp!.target).toBe('doc://readme');
    // The bearer token the client sent is a secret: never in a record.
    expect(JSON.stringify(records)).not.toContain('tok_live_1234567890abcdef');
    // Session, protocol version and authorization headers reached the server as the client set them.
    const call = fixture.requests.find((request) => request.body.includes('"echo"'))!;
    expect(call.headers['mcp-session-id']).toBe('session-1');
    expect(call.headers['mcp-protocol-version']).toBeTypeOf('string');
    expect(call.headers['authorization']).toBe('Bearer tok_live_1234567890abcdef');
  });

  it('answers JSON (enableJsonResponse) as well as SSE', async () => {
    const fixture = await server({ json: true });
    const { sluice, records } = governed(fixture.url);
    const { client } = await connect(fixture.url, sluice.fetch);
    expect(await client.callTool({ name: 'add', arguments: { a: 2, b: 3 } })).toMatchObject({ content: [{ type: 'text', text: '5' }] });
    await settle(sluice);
    expect(records.at(-1)).toMatchObject({ operation: 'mcp.tools/call', streamed: false, outcome: 'completed' });
  });

  it('refuses denied tools and tools outside the allow list with a JSON-RPC error the client raises', async () => {
    const fixture = await server();
    const { sluice, records } = governed(fixture.url, { server: { allow: ['echo', 'add', 'delete_*'], deny: ['delete_*'] } });
    const { client } = await connect(fixture.url, sluice.fetch);
    const listed = await client.listTools();
    expect(listed.tools.map((tool) => tool.name).sort()).toEqual(['add', 'echo']);
    await expect(client.callTool({ name: 'delete_repo', arguments: { name: 'x' } })).rejects.toThrow(/tool 'delete_repo' on MCP server 'fixture' is denied by policy \(deny: 'delete_\*'\)/);
    await expect(client.callTool({ name: 'inject', arguments: {} })).rejects.toThrow(/not in the allow list/);
    expect(fixture.seen).toEqual([]);
    expect(fixture.requests.some((request) => request.body.includes('delete_repo'))).toBe(false);
    await settle(sluice);
    const refused = records.filter((record) => record.error?.class === 'mcp_denied');
    expect(refused).toHaveLength(2);
    expect(refused[0]).toMatchObject({ outcome: 'failed', attempts: [], mcp: { target: 'delete_repo', errorCode: MCP_ERROR.denied } });
    // The session goes on.
    expect(await client.callTool({ name: 'echo', arguments: { text: 'still here' } })).toMatchObject({ content: [{ text: 'still here' }] });
  });

  it("checks arguments against the tool's declared input schema before the call", async () => {
    const fixture = await server();
    const { sluice, records } = governed(fixture.url);
    const { client } = await connect(fixture.url, sluice.fetch);
    await client.listTools();
    await expect(client.callTool({ name: 'add', arguments: { a: 'two', b: 3 } })).rejects.toThrow(/arguments of tool 'add' do not match its input schema: \/a: expected number, received string/);
    expect(fixture.requests.some((request) => request.body.includes('"two"'))).toBe(false);
    await settle(sluice);
    expect(records.at(-1)).toMatchObject({ error: { class: 'mcp_invalid_arguments' }, mcp: { errorCode: MCP_ERROR.invalidParams } });
  });

  it('redacts PII in tool arguments before they leave, and puts the values back in the result', async () => {
    const fixture = await server();
    const { sluice, records } = governed(fixture.url, { pii: { mode: 'redact' } });
    const { client } = await connect(fixture.url, sluice.fetch);
    const result = await client.callTool({ name: 'echo', arguments: { text: 'mail jane.doe@example.com now' } });
    expect(fixture.seen).toEqual([{ tool: 'echo', args: { text: 'mail <EMAIL_1> now' } }]);
    expect(result).toMatchObject({ content: [{ text: 'mail jane.doe@example.com now' }] });
    await settle(sluice);
    const record = records.at(-1)!;
    expect(record.guard).toEqual([{ rule: 'email', action: 'redact', count: 1 }]);
    expect(record.requestBody).toContain('<EMAIL_1>');
    expect(record.requestBody).not.toContain('jane.doe');
  });

  it('blocks a call whose arguments carry a blocked kind of PII', async () => {
    const fixture = await server();
    const { sluice } = governed(fixture.url, { pii: { rules: { 'credit-card': 'block' } } });
    const { client } = await connect(fixture.url, sluice.fetch);
    await expect(client.callTool({ name: 'echo', arguments: { text: 'card 4111 1111 1111 1111' } })).rejects.toThrow(/pii: the call was not sent: found credit-card in arguments.text/);
    expect(fixture.seen).toEqual([]);
  });

  it('withholds a tool result carrying a prompt injection (guard verdict), and strips hidden Unicode', async () => {
    const fixture = await server();
    const { sluice, records } = governed(fixture.url, { guard: {} });
    const { client } = await connect(fixture.url, sluice.fetch);
    await expect(client.callTool({ name: 'inject', arguments: {} })).rejects.toThrow(/was withheld: guard rule 'prompt-injection' matched \(in result.content\[0\].text\)/);
    await expect(client.readResource({ uri: 'doc://poisoned' })).rejects.toThrow(/guard rule 'prompt-injection'/);
    const hidden = await client.callTool({ name: 'hidden', arguments: {} });
    expect((hidden as { content: Array<{ text: string }> }).content[0]!.text).toBe((HIDDEN as string).replace(/[\u200B\u2062]|\u{E0041}/gu, ''));
    await settle(sluice);
    const [inject, poisoned, stripped] = records.slice(-3);
    expect(inject).toMatchObject({ outcome: 'failed', error: { class: 'sluice_guard_blocked' }, guard: [{ rule: 'prompt-injection', action: 'block', count: 1 }] });
    expect(poisoned!.mcp!.method).toBe('resources/read');
    expect(stripped).toMatchObject({ outcome: 'completed', guard: [{ rule: 'hidden-unicode', action: 'redact' }] });
  });

  it('refuses a 20 MB tool answer with a clear error, and the process stays healthy', async () => {
    const fixture = await server();
    const { sluice, records } = governed(fixture.url);
    const { client } = await connect(fixture.url, sluice.fetch);
    await expect(client.callTool({ name: 'big', arguments: {} })).rejects.toThrow(/is larger than 4194304 bytes \(maxMessageBytes\)/);
    expect(await client.callTool({ name: 'echo', arguments: { text: 'ok' } })).toMatchObject({ content: [{ text: 'ok' }] });
    await settle(sluice);
    const big = records.find((record) => record.mcp?.target === 'big')!;
    expect(big).toMatchObject({ outcome: 'failed', error: { class: 'mcp_too_large' }, mcp: { errorCode: MCP_ERROR.tooLarge } });
    expect(big.mcp!.resultBytes).toBeGreaterThan(4 * 1024 * 1024);
    // An SSE event is read to its end (and dropped piece by piece), never held whole.
    expect(big.mcp!.resultBytes).toBeGreaterThanOrEqual(BIG_BYTES);
  });

  it('ends a tool call that never answers at timeoutMs with a timeout error', async () => {
    const fixture = await server();
    const { sluice, records } = governed(fixture.url, { server: { tools: { hang: { timeoutMs: 100 } } } });
    const { client } = await connect(fixture.url, sluice.fetch);
    await expect(client.callTool({ name: 'hang', arguments: {} })).rejects.toThrow(/tools\/call hang on MCP server 'fixture' did not answer within 100 ms/);
    expect(await client.callTool({ name: 'echo', arguments: { text: 'after' } })).toMatchObject({ content: [{ text: 'after' }] });
    await settle(sluice);
    expect(records.find((record) => record.mcp?.target === 'hang')).toMatchObject({ outcome: 'failed', error: { class: 'mcp_timeout' }, mcp: { errorCode: MCP_ERROR.timeout } });
  });

  it('ends a tool call that never answers at timeoutMs when the server answers with JSON', async () => {
    const fixture = await server({ json: true });
    const { sluice, records } = governed(fixture.url, { server: { timeoutMs: 100 } });
    const { client } = await connect(fixture.url, sluice.fetch);
    await expect(client.callTool({ name: 'hang', arguments: {} })).rejects.toThrow(/did not answer within 100 ms/);
    expect(await client.callTool({ name: 'add', arguments: { a: 1, b: 1 } })).toMatchObject({ content: [{ text: '2' }] });
    await settle(sluice);
    expect(records.find((record) => record.mcp?.target === 'hang')).toMatchObject({ outcome: 'failed', error: { class: 'mcp_timeout' } });
  });

  it('answers malformed JSON-RPC from the server with a clear error', async () => {
    const fixture = await server({ malformed: ['echo'] });
    const { sluice, records } = governed(fixture.url);
    const { client } = await connect(fixture.url, sluice.fetch);
    await expect(client.callTool({ name: 'echo', arguments: { text: 'x' } })).rejects.toThrow(/answered tools\/call with a message that is not JSON-RPC/);
    await settle(sluice);
    expect(records.at(-1)).toMatchObject({ outcome: 'errored', error: { class: 'mcp_malformed' } });
  });

  it('bounds a notification flood: notifications over the rate are dropped and counted', async () => {
    const fixture = await server();
    const handler = mcp({ servers: { fixture: { url: fixture.url, maxNotificationsPerSecond: 50 } } });
    const sluice = createSluice({ mcp: handler });
    open.push(sluice);
    const { client } = await connect(fixture.url, sluice.fetch);
    let received = 0;
    client.setNotificationHandler((await import('@modelcontextprotocol/sdk/types.js')).LoggingMessageNotificationSchema, () => void received++);
    expect(await client.callTool({ name: 'flood', arguments: { count: 2000 } })).toMatchObject({ content: [{ text: 'flooded' }] });
    const stats = handler.stats(sluice)['fixture']!;
    expect(received + stats.notificationsDropped).toBe(2000);
    expect(received).toBeLessThan(2000);
    expect(stats.notificationsDropped).toBeGreaterThan(0);
  });

  it('caps concurrency and rate per tool, refusing over the limit', async () => {
    const fixture = await server();
    const { sluice } = governed(fixture.url, { server: { tools: { pause: { maxConcurrent: 1, maxQueue: 0 }, echo: { requestsPerMinute: 2 } } } });
    const { client } = await connect(fixture.url, sluice.fetch);
    const first = client.callTool({ name: 'pause', arguments: { ms: 200 } });
    await expect(client.callTool({ name: 'pause', arguments: { ms: 1 } })).rejects.toThrow(/concurrency cap of 1 tool calls reached for tools 'pause'/);
    await expect(first).resolves.toMatchObject({ content: [{ text: 'paused 200' }] });
    await client.callTool({ name: 'echo', arguments: { text: '1' } });
    await client.callTool({ name: 'echo', arguments: { text: '2' } });
    await expect(client.callTool({ name: 'echo', arguments: { text: '3' } })).rejects.toThrow(/rate limit of 2 tool calls per minute reached/);
  });

  it('resumes a session after a dropped connection (last-event-id), and records the call once', async () => {
    const fixture = await server({ resumable: true, dropAfterFirstEvent: ['pause'] });
    const { sluice, records } = governed(fixture.url);
    const { client } = await connect(fixture.url, sluice.fetch);
    const result = await client.callTool({ name: 'pause', arguments: { ms: 50 } });
    expect(result).toMatchObject({ content: [{ text: 'paused 50' }] });
    const resumed = fixture.requests.find((request) => request.method === 'GET' && request.headers['last-event-id'] !== undefined);
    expect(resumed).toBeDefined();
    await settle(sluice);
    const calls = records.filter((record) => record.mcp?.target === 'pause');
    expect(calls).toHaveLength(1);
    expect(calls[0]).toMatchObject({ outcome: 'completed' });
  });
});
