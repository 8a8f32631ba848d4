/**
 * The fixture MCP server over Streamable HTTP on 127.0.0.1 (the official SDK's server transport, one
 * per session), recording every request as it arrived on the wire, with hostile switches.
 */
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { StreamableHTTPServerTransport } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { EventStore } from '@modelcontextprotocol/sdk/server/streamableHttp.js';
import type { JSONRPCMessage } from '@modelcontextprotocol/sdk/types.js';
// @ts-expect-error: a plain ES module without types
import { buildServer } from '../fixtures/mcp/tools.mjs';

/** One request as the server received it. */
export interface WireRequest {
  method: string;
  url: string;
  headers: Record<string, string | string[] | undefined>;
  body: string;
}

/** An event store with predictable ids (the SDK's example store uses the clock and randomness). */
class CountingEventStore implements EventStore {
  readonly #events = new Map<string, { streamId: string; message: JSONRPCMessage }>();
  #next = 0;
  async storeEvent(streamId: string, message: JSONRPCMessage): Promise<string> {
    const id = `${streamId}_${this.#next++}`;
    this.#events.set(id, { streamId, message });
    return id;
  }
  async getStreamIdForEventId(eventId: string): Promise<string | undefined> {
    return this.#events.get(eventId)?.streamId;
  }
  async replayEventsAfter(lastEventId: string, { send }: { send: (eventId: string, message: JSONRPCMessage) => Promise<void> }): Promise<string> {
    const streamId = this.#events.get(lastEventId)?.streamId ?? '';
    let after = false;
    for (const [id, event] of this.#events) {
      if (id === lastEventId) after = true;
      else if (after && event.streamId === streamId) await send(id, event.message);
    }
    return streamId;
  }
}

/** Options of {@link startMcpHttpServer}. */
export interface McpHttpServerOptions {
  /** Answer with JSON instead of SSE. */
  json?: boolean;
  /** Keep events for resumption (`last-event-id`). */
  resumable?: boolean;
  /** Tools whose POST connection is dropped after its first event. */
  dropAfterFirstEvent?: string[];
  /** Tools answered with malformed JSON-RPC (an SSE event whose data is not JSON). */
  malformed?: string[];
}

/** A running server. */
export interface McpHttpServer {
  url: string;
  requests: WireRequest[];
  /** What the tools received. */
  seen: Array<{ tool: string; args: unknown }>;
  close(): Promise<void>;
}

async function readBody(request: IncomingMessage): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of request) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/**
 * Starts the server on 127.0.0.1, port 0.
 * @param options Hostile switches.
 */
export async function startMcpHttpServer(options: McpHttpServerOptions = {}): Promise<McpHttpServer> {
  const requests: WireRequest[] = [];
  const seen: Array<{ tool: string; args: unknown }> = [];
  const transports = new Map<string, StreamableHTTPServerTransport>();
  const sockets = new Set<Socket>();
  let sessions = 0;
  const eventStore = options.resumable === true ? new CountingEventStore() : undefined;
  const handle = async (request: IncomingMessage, response: ServerResponse): Promise<void> => {
    const body = await readBody(request);
    requests.push({ method: request.method ?? '', url: request.url ?? '', headers: { ...request.headers }, body });
    const parsed: unknown = body === '' ? undefined : JSON.parse(body);
    const tool = (parsed as { method?: string; params?: { name?: string } } | undefined)?.method === 'tools/call' ? (parsed as { params: { name: string } }).params.name : null;
    if (tool !== null && options.malformed?.includes(tool)) {
      response.writeHead(200, { 'content-type': 'text/event-stream' });
      response.end('event: message\ndata: {"jsonrpc":"2.0","id":\n\n');
      return;
    }
    if (tool !== null && options.dropAfterFirstEvent?.includes(tool)) {
      const write = response.write.bind(response);
      let writes = 0;
      response.write = ((...args: Parameters<typeof write>) => {
        const result = write(...args);
        // The priming event, then the first notification: then the connection drops.
        if (++writes === 2) setImmediate(() => response.socket?.destroy());
        return result;
      }) as typeof response.write;
    }
    const sessionId = request.headers['mcp-session-id'];
    let transport = typeof sessionId === 'string' ? transports.get(sessionId) : undefined;
    if (transport === undefined) {
      if (typeof sessionId === 'string') {
        response.writeHead(404, { 'content-type': 'application/json' }).end('{"jsonrpc":"2.0","error":{"code":-32001,"message":"Session not found"},"id":null}');
        return;
      }
      transport = new StreamableHTTPServerTransport({
        sessionIdGenerator: () => `session-${++sessions}`,
        enableJsonResponse: options.json === true,
        ...(eventStore === undefined ? {} : { eventStore, retryInterval: 10 }),
        onsessioninitialized: (id) => void transports.set(id, transport!),
      });
      await buildServer({ seen }).connect(transport);
    }
    await transport.handleRequest(request, response, parsed);
  };
  const server: Server = createServer((request, response) => {
    handle(request, response).catch((error: unknown) => {
      if (!response.headersSent) response.writeHead(500).end(String(error));
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    requests,
    seen,
    async close() {
      for (const transport of transports.values()) await transport.close().catch(() => undefined);
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}
