/**
 * sluice/node's proxy and TLS: `HTTPS_PROXY`/`HTTP_PROXY`/`NO_PROXY` through a CONNECT proxy the test
 * runs, a custom CA for an HTTPS server with a certificate made for the test (by `openssl`).
 */
import OpenAI from 'openai';
import { execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import * as http from 'node:http';
import * as https from 'node:https';
import * as net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { nodeTransport, type NodeTransport } from '../../src/node/index.js';
import { proxyFor, proxyFromEnv } from '../../src/node/proxy.js';
import { json, startServer, type TestServer } from './server.js';

interface Proxy {
  url: string;
  tunnels: Array<{ target: string; authorization: string | undefined }>;
  close(): Promise<void>;
}

async function startProxy(): Promise<Proxy> {
  const tunnels: Proxy['tunnels'] = [];
  const sockets = new Set<net.Socket>();
  const server = http.createServer((_request, response) => response.writeHead(405).end());
  server.on('connect', (request: http.IncomingMessage, client: net.Socket, head: Buffer) => {
    tunnels.push({ target: request.url ?? '', authorization: request.headers['proxy-authorization'] });
    sockets.add(client);
    const [host, port] = (request.url ?? '').split(/:(?=\d+$)/);
    const upstream = net.connect(Number(port), host, () => {
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    const closeBoth = (): void => {
      client.destroy();
      upstream.destroy();
    };
    upstream.on('error', closeBoth).on('close', closeBoth);
    client.on('error', closeBoth).on('close', closeBoth);
  });
  server.listen(0, '127.0.0.1');
  await once(server, 'listening');
  return {
    url: `http://127.0.0.1:${(server.address() as net.AddressInfo).port}`,
    tunnels,
    async close() {
      for (const socket of sockets) socket.destroy();
      server.close();
      await once(server, 'close');
    },
  };
}

let directory: string;
let ca: string;
let secure: https.Server;
let secureOrigin: string;
const transports: NodeTransport[] = [];
const closers: Array<() => Promise<void>> = [];

beforeAll(async () => {
  directory = mkdtempSync(join(tmpdir(), 'sluice-tls-'));
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(directory, 'key.pem'), '-out', join(directory, 'cert.pem'), '-days', '1', '-subj', '/CN=localhost', '-addext', 'subjectAltName=DNS:localhost,IP:127.0.0.1'], { stdio: 'ignore' });
  ca = readFileSync(join(directory, 'cert.pem'), 'utf8');
  secure = https.createServer({ key: readFileSync(join(directory, 'key.pem')), cert: ca }, (request, response) => {
    request.resume();
    request.on('end', () => json(response, { secure: true, path: request.url }));
  });
  secure.listen(0, '127.0.0.1');
  await once(secure, 'listening');
  secureOrigin = `https://localhost:${(secure.address() as net.AddressInfo).port}`;
});

afterAll(async () => {
  secure.closeAllConnections();
  secure.close();
  rmSync(directory, { recursive: true, force: true });
});

afterEach(async () => {
  vi.unstubAllEnvs();
  await Promise.all(transports.splice(0).map((made) => made.close()));
  await Promise.all(closers.splice(0).map((close) => close()));
});

function transport(options?: Parameters<typeof nodeTransport>[0]): NodeTransport {
  const made = nodeTransport(options);
  transports.push(made);
  return made;
}
async function proxy(): Promise<Proxy> {
  const started = await startProxy();
  closers.push(() => started.close());
  return started;
}
async function server(): Promise<TestServer> {
  const started = await startServer((request, response) => json(response, { path: request.url }));
  closers.push(() => started.close());
  return started;
}
function clearProxyEnv(): void {
  for (const name of ['HTTP_PROXY', 'HTTPS_PROXY', 'NO_PROXY', 'http_proxy', 'https_proxy', 'no_proxy']) vi.stubEnv(name, '');
}

describe('TLS', () => {
  it('reaches an HTTPS server whose certificate a custom CA signed, and refuses it without the CA', async () => {
    clearProxyEnv();
    expect(await (await transport({ tls: { ca } })(`${secureOrigin}/v1/models`)).json()).toEqual({ secure: true, path: '/v1/models' });
    const error = await transport()(`${secureOrigin}/v1/models`).catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(TypeError);
    expect(((error as Error).cause as { code?: string }).code).toBe('DEPTH_ZERO_SELF_SIGNED_CERT');
  });
});

describe('proxies from the environment', () => {
  it('tunnels HTTPS calls through HTTPS_PROXY with CONNECT, TLS to the origin inside', async () => {
    clearProxyEnv();
    const tunnel = await proxy();
    vi.stubEnv('HTTPS_PROXY', tunnel.url);
    expect(await (await transport({ tls: { ca } })(`${secureOrigin}/v1/models`)).json()).toEqual({ secure: true, path: '/v1/models' });
    expect(tunnel.tunnels).toEqual([{ target: `localhost:${new URL(secureOrigin).port}`, authorization: undefined }]);
  });

  it('sends HTTP calls through HTTP_PROXY with the proxy credentials, and the SDK through Sluice too', async () => {
    clearProxyEnv();
    const tunnel = await proxy();
    const upstream = await startServer((_request, response) =>
      json(response, { id: 'c1', object: 'chat.completion', created: 0, model: 'm', choices: [{ index: 0, message: { role: 'assistant', content: 'proxied' }, finish_reason: 'stop' }] }),
    );
    closers.push(() => upstream.close());
    vi.stubEnv('http_proxy', tunnel.url.replace('http://', 'http://user%40x:p%3Ass@'));
    const sluice = createSluice({ fetch: transport() });
    const client = new OpenAI({ baseURL: `${upstream.origin}/v1`, apiKey: 'k', maxRetries: 0, fetch: sluice.fetch });
    const completion = await client.chat.completions.create({ model: 'm', messages: [{ role: 'user', content: 'hi' }] });
    expect(completion.choices[0]?.message.content).toBe('proxied');
    expect(tunnel.tunnels).toEqual([{ target: `127.0.0.1:${new URL(upstream.origin).port}`, authorization: `Basic ${Buffer.from('user@x:p:ss').toString('base64')}` }]);
    await sluice.close();
  });

  it('goes direct to hosts NO_PROXY names, and with proxy: false', async () => {
    clearProxyEnv();
    const tunnel = await proxy();
    const upstream = await server();
    vi.stubEnv('HTTP_PROXY', tunnel.url);
    vi.stubEnv('NO_PROXY', 'example.com, 127.0.0.1');
    expect(await (await transport()(`${upstream.origin}/a`)).json()).toEqual({ path: '/a' });
    vi.stubEnv('NO_PROXY', '');
    expect(await (await transport({ proxy: false })(`${upstream.origin}/b`)).json()).toEqual({ path: '/b' });
    expect(tunnel.tunnels).toEqual([]);
    expect(await (await transport()(`${upstream.origin}/c`)).json()).toEqual({ path: '/c' });
    expect(tunnel.tunnels).toHaveLength(1);
  });

  it('matches NO_PROXY as curl does: exact hosts, subdomains, ports and *', () => {
    const settings = proxyFromEnv({ HTTPS_PROXY: 'proxy.local:3128', NO_PROXY: '.internal, api.example.com:8443, [::1]' });
    expect(settings.https?.href).toBe('http://proxy.local:3128/');
    expect(settings.http).toBeNull();
    expect(proxyFor(settings, new URL('https://a.internal/'))).toBeNull();
    expect(proxyFor(settings, new URL('https://internal/'))).toBeNull();
    expect(proxyFor(settings, new URL('https://api.example.com:8443/'))).toBeNull();
    expect(proxyFor(settings, new URL('https://api.example.com/'))?.host).toBe('proxy.local:3128');
    expect(proxyFor(settings, new URL('https://[::1]:9/'))).toBeNull();
    expect(proxyFor(settings, new URL('http://a.internal/'))).toBeNull();
    expect(proxyFor(proxyFromEnv({ https_proxy: 'http://p:1', NO_PROXY: '*' }), new URL('https://x.y/'))).toBeNull();
  });
});
