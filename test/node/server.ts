import { once } from 'node:events';
import { afterEach } from 'vitest';
import { nodeTransport, type NodeTransport } from '../../src/node/index.js';
import * as http from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/** A request as the test server saw it. */
export interface SeenRequest {
  method: string;
  url: string;
  headers: http.IncomingHttpHeaders;
  body: Buffer;
  /** Resolves when the connection that carried this request closes. */
  socketClosed: Promise<void>;
}

/** A local HTTP server on 127.0.0.1 that records requests and counts its sockets. */
export interface TestServer {
  url: string;
  origin: string;
  seen: SeenRequest[];
  /** Connections accepted, ever. */
  readonly opened: number;
  /** Connections closed, ever. */
  readonly closed: number;
  /** Connections open now. */
  readonly open: number;
  /** The most connections open at once. */
  readonly maxOpen: number;
  /** Resolves once `count` connections have closed. */
  closedAtLeast(count: number): Promise<void>;
  close(): Promise<void>;
}

/**
 * Starts a server whose handler gets the request with its body read.
 * @param handler Answers one request.
 */
export async function startServer(handler: (request: SeenRequest, response: http.ServerResponse) => void | Promise<void>): Promise<TestServer> {
  const seen: SeenRequest[] = [];
  const sockets = new Set<Socket>();
  let opened = 0;
  let closed = 0;
  let maxOpen = 0;
  const waiters: Array<{ count: number; resolve: () => void }> = [];
  const server = http.createServer((request, response) => {
    const chunks: Buffer[] = [];
    const socketClosed = request.socket.destroyed ? Promise.resolve() : new Promise<void>((resolve) => request.socket.once('close', () => resolve()));
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      const entry: SeenRequest = { method: request.method ?? '', url: request.url ?? '', headers: request.headers, body: Buffer.concat(chunks), socketClosed };
      seen.push(entry);
      void Promise.resolve(handler(entry, response)).catch((error: unknown) => response.destroy(error as Error));
    });
  });
  server.keepAliveTimeout = 30_000;
  server.on('connection', (socket: Socket) => {
    opened++;
    sockets.add(socket);
    maxOpen = Math.max(maxOpen, sockets.size);
    socket.once('close', () => {
      sockets.delete(socket);
      closed++;
      for (const waiter of waiters.splice(0)) {
        if (closed >= waiter.count) waiter.resolve();
        else waiters.push(waiter);
      }
    });
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  return {
    url: `${origin}/`,
    origin,
    seen,
    get opened() {
      return opened;
    },
    get closed() {
      return closed;
    },
    get open() {
      return sockets.size;
    },
    get maxOpen() {
      return maxOpen;
    },
    closedAtLeast(count) {
      if (closed >= count) return Promise.resolve();
      return new Promise((resolve) => waiters.push({ count, resolve }));
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

/** Answers JSON. */
export function json(response: http.ServerResponse, value: unknown, status = 200, headers: http.OutgoingHttpHeaders = {}): void {
  const text = JSON.stringify(value);
  response.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/**
 * Test servers and transports made through the returned functions, all closed after each test
 * (transports first, so their sockets go before the servers wait for them).
 */
export function closedAfterEach(): {
  server: (handler: Parameters<typeof startServer>[0]) => Promise<TestServer>;
  transport: (options?: Parameters<typeof nodeTransport>[0]) => NodeTransport;
} {
  const servers: TestServer[] = [];
  const transports: NodeTransport[] = [];
  afterEach(async () => {
    await Promise.all(transports.splice(0).map((made) => made.close()));
    await Promise.all(servers.splice(0).map((started) => started.close()));
  });
  return {
    async server(handler) {
      const started = await startServer(handler);
      servers.push(started);
      return started;
    },
    transport(options) {
      const made = nodeTransport(options);
      transports.push(made);
      return made;
    },
  };
}
