import { afterEach, describe, expect, it } from 'vitest';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { StdioClientTransport } from '@modelcontextprotocol/sdk/client/stdio.js';
import { LoggingMessageNotificationSchema } from '@modelcontextprotocol/sdk/types.js';
import type { Transport } from '@modelcontextprotocol/sdk/shared/transport.js';
import { createSluice, type CallRecord, type Sluice } from '../../src/index.js';
import { mcp, mcpTransport, MCP_ERROR, type McpOptions } from '../../src/mcp/index.js';

const SERVER = new URL('../fixtures/mcp/stdio-server.mjs', import.meta.url).pathname;

const open: Array<{ close(): Promise<void> }> = [];
afterEach(async () => {
  for (const item of open.splice(0).reverse()) await item.close();
});

async function stdio(options: Omit<McpOptions, 'servers'> & { server?: McpOptions['servers'][string] } = {}): Promise<{ client: Client; sluice: Sluice; records: CallRecord[]; handler: ReturnType<typeof mcp> }> {
  const { server, ...rest } = options;
  const handler = mcp({ servers: { local: { ...server } }, ...rest });
  const sluice = createSluice({ mcp: handler, session: 'agent-run-1' });
  open.push(sluice);
  const records: CallRecord[] = [];
  sluice.on('request:end', ({ record }) => void records.push(record));
  const client = new Client({ name: 'test', version: '1.0.0' });
  const transport = mcpTransport(new StdioClientTransport({ command: process.execPath, args: [SERVER], stderr: 'ignore' }), sluice, { server: 'local' });
  await client.connect(transport as unknown as Transport);
  open.push(client);
  return { client, sluice, records, handler };
}

async function settle(sluice: Sluice): Promise<void> {
  await sluice.flush();
  await new Promise((resolve) => setImmediate(resolve));
}

describe('mcpTransport() over stdio (a child process)', () => {
  it('lists and calls tools, reads resources and records each request with the session', async () => {
    const { client, sluice, records } = await stdio();
    expect((await client.listTools()).tools.length).toBeGreaterThan(5);
    expect(await client.callTool({ name: 'add', arguments: { a: 1, b: 2 } })).toMatchObject({ content: [{ text: '3' }] });
    expect(await client.callTool({ name: 'progress' })).toMatchObject({ content: [{ text: 'done' }] });
    expect((await client.readResource({ uri: 'doc://readme' })).contents[0]).toMatchObject({ text: 'The readme.' });
    await settle(sluice);
    expect(records.map((record) => record.operation)).toEqual(['mcp.initialize', 'mcp.tools/list', 'mcp.tools/call', 'mcp.tools/call', 'mcp.resources/read']);
    expect(records[2]).toMatchObject({ dialect: 'mcp', provider: 'local', session: 'agent-run-1', outcome: 'completed', status: null, mcp: { transport: 'transport', target: 'add', requestId: 2 } });
  });

  it('applies the same policy: deny, schema, PII, guard', async () => {
    const { client, sluice, records } = await stdio({ server: { deny: ['delete_*'] }, pii: {}, guard: {} });
    await client.listTools();
    await expect(client.callTool({ name: 'delete_repo', arguments: { name: 'x' } })).rejects.toThrow(/denied by policy/);
    await expect(client.callTool({ name: 'add', arguments: { a: 1 } })).rejects.toThrow(/\/b: required/);
    expect(await client.callTool({ name: 'echo', arguments: { text: 'call +1 415 555 0100' } })).toMatchObject({ content: [{ text: 'call +1 415 555 0100' }] });
    await expect(client.callTool({ name: 'inject' })).rejects.toThrow(/guard rule 'prompt-injection'/);
    await settle(sluice);
    const echo = records.find((record) => record.mcp?.target === 'echo')!;
    expect(echo.guard).toEqual([{ rule: 'phone', action: 'redact', count: 1 }]);
    expect(echo.requestBody).toContain('<PHONE_1>');
    expect(records.find((record) => record.mcp?.target === 'delete_repo')).toMatchObject({ mcp: { errorCode: MCP_ERROR.denied } });
  });

  it('times out a tool that never answers; the session goes on', async () => {
    const { client, sluice, records } = await stdio({ server: { timeoutMs: 100 } });
    await expect(client.callTool({ name: 'hang' })).rejects.toThrow(/did not answer within 100 ms/);
    expect(await client.callTool({ name: 'add', arguments: { a: 2, b: 2 } })).toMatchObject({ content: [{ text: '4' }] });
    await settle(sluice);
    expect(records.find((record) => record.mcp?.target === 'hang')).toMatchObject({ error: { class: 'mcp_timeout' } });
  });

  it('refuses an answer over maxMessageBytes and bounds a notification flood', async () => {
    // 3 MB over 1 MB: the SDK's stdio reader copies its buffer per chunk, so 20 MB takes it seconds (it is tested over HTTP).
    const { client, sluice, records, handler } = await stdio({ server: { maxNotificationsPerSecond: 20, maxMessageBytes: 1024 * 1024 } });
    await expect(client.callTool({ name: 'big', arguments: { bytes: 3 * 1024 * 1024 } })).rejects.toThrow(/larger than 1048576 bytes/);
    let received = 0;
    client.setNotificationHandler(LoggingMessageNotificationSchema, () => void received++);
    await client.callTool({ name: 'flood', arguments: { count: 500 } });
    expect(received).toBeLessThan(500);
    expect(received + handler.stats(sluice)['local']!.notificationsDropped).toBe(500);
    await settle(sluice);
    expect(records.find((record) => record.mcp?.target === 'big')).toMatchObject({ error: { class: 'mcp_too_large' } });
  });

  it('refuses a server that is not configured, naming the known ones', () => {
    const sluice = createSluice({ mcp: mcp({ servers: { local: {} } }) });
    open.push(sluice);
    expect(() => mcpTransport(new StdioClientTransport({ command: 'true' }), sluice, { server: 'lokal' })).toThrow(/server 'lokal' is not in mcp\(\{ servers \}\); known: local/);
  });
});
