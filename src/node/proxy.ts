/**
 * `HTTP_PROXY`, `HTTPS_PROXY` and `NO_PROXY`, read as undici's `EnvHttpProxyAgent` and curl read them,
 * and a connector that reaches an origin through the proxy with `CONNECT` (a tunnel for `https:` and
 * `http:` origins alike, as undici's `ProxyAgent` does), so Node's bundled undici serves proxied calls
 * without the `undici` package.
 * @module
 */
import * as http from 'node:http';
import * as https from 'node:https';
import type { Socket } from 'node:net';
import * as tls from 'node:tls';

/** Where calls to `http:` and `https:` origins go, and the hosts that skip the proxy. */
export interface ProxySettings {
  /** The proxy for `http:` origins, or `null`. */
  http: URL | null;
  /** The proxy for `https:` origins, or `null`. */
  https: URL | null;
  /** `NO_PROXY` entries, lower-case: `*`, `host`, `.host` or `*.host` (subdomains too), each with an optional `:port`. */
  noProxy: readonly string[];
}

function parseProxy(value: string | undefined): URL | null {
  if (value === undefined || value.trim() === '') return null;
  const text = value.includes('://') ? value.trim() : `http://${value.trim()}`;
  try {
    return new URL(text);
  } catch {
    throw new TypeError(`sluice/node: the proxy URL '${value}' is not a URL`);
  }
}

/**
 * Reads the proxy environment (lower-case names win, as in curl).
 * @param env The environment, `process.env` in use.
 */
export function proxyFromEnv(env: Readonly<Record<string, string | undefined>>): ProxySettings {
  // An empty variable counts as unset, so `http_proxy=` does not hide `HTTP_PROXY`.
  const read = (name: string): string | undefined => (env[name.toLowerCase()] || env[name]) ?? undefined;
  const httpProxy = parseProxy(read('HTTP_PROXY'));
  return {
    http: httpProxy,
    https: parseProxy(read('HTTPS_PROXY')) ?? httpProxy,
    noProxy: (read('NO_PROXY') ?? '')
      .split(/[\s,]+/)
      .map((entry) => entry.trim().toLowerCase())
      .filter((entry) => entry !== ''),
  };
}

/**
 * The proxy for one origin, or `null` when it goes direct.
 * @param settings From {@link proxyFromEnv}.
 * @param origin The origin, parsed.
 */
export function proxyFor(settings: ProxySettings, origin: URL): URL | null {
  const proxy = origin.protocol === 'https:' ? settings.https : settings.http;
  if (proxy === null) return null;
  const host = origin.hostname.toLowerCase().replace(/^\[|\]$/g, '');
  const port = origin.port || (origin.protocol === 'https:' ? '443' : '80');
  for (const entry of settings.noProxy) {
    if (entry === '*') return null;
    const match = /^(.*?)(?::(\d+))?$/.exec(entry)!;
    const name = match[1]!.replace(/^\*?\./, '').replace(/^\[|\]$/g, '');
    if (match[2] !== undefined && match[2] !== port) continue;
    if (host === name || host.endsWith(`.${name}`)) return null;
  }
  return proxy;
}

/** What undici passes a custom connector. */
export interface ConnectOptions {
  hostname: string;
  host?: string;
  protocol: string;
  port: string;
  servername?: string | null;
}

/** undici's connector signature. */
export type Connector = (options: ConnectOptions, callback: (error: Error | null, socket: Socket | tls.TLSSocket | null) => void) => void;

/**
 * A connector that tunnels every connection through `proxy` with `CONNECT`, then speaks TLS to the
 * origin for `https:` origins.
 * @param proxy The proxy URL (its user and password become `proxy-authorization: Basic`).
 * @param tlsOptions TLS options for the origin (custom CA, client certificates...).
 * @param timeoutMs Gives up on the tunnel and the handshake after this long.
 */
export function tunnelConnector(proxy: URL, tlsOptions: tls.ConnectionOptions, timeoutMs: number): Connector {
  const headers: Record<string, string> = {};
  if (proxy.username !== '') {
    const credentials = `${decodeURIComponent(proxy.username)}:${decodeURIComponent(proxy.password)}`;
    headers['proxy-authorization'] = `Basic ${Buffer.from(credentials).toString('base64')}`;
  }
  const client = proxy.protocol === 'https:' ? https : http;
  return (options, callback) => {
    let isDone = false;
    const done = (error: Error | null, socket: Socket | tls.TLSSocket | null): void => {
      if (isDone) return;
      isDone = true;
      clearTimeout(timer);
      callback(error, socket);
    };
    const port = options.port || (options.protocol === 'https:' ? '443' : '80');
    const authority = `${options.hostname.includes(':') ? `[${options.hostname}]` : options.hostname}:${port}`;
    const request = client.request({
      host: proxy.hostname.replace(/^\[|\]$/g, ''),
      port: proxy.port || (proxy.protocol === 'https:' ? 443 : 80),
      method: 'CONNECT',
      path: authority,
      headers: { host: authority, ...headers },
      agent: false,
    });
    const timer = setTimeout(() => {
      request.destroy();
      done(Object.assign(new Error(`connecting through the proxy took longer than ${timeoutMs} ms`), { code: 'UND_ERR_CONNECT_TIMEOUT' }), null);
    }, timeoutMs);
    timer.unref();
    request.once('error', (error) => done(error, null));
    request.once('connect', (response, socket, head) => {
      if (response.statusCode !== 200) {
        socket.destroy();
        done(new Error(`the proxy answered CONNECT with HTTP ${response.statusCode ?? 0}`), null);
        return;
      }
      if (head.length > 0) socket.unshift(head);
      if (options.protocol !== 'https:') return done(null, socket);
      const servername = options.servername ?? options.hostname;
      const secure = tls.connect({ ...tlsOptions, socket, servername: /^[\d.:]+$/.test(servername) ? undefined : servername, ALPNProtocols: ['http/1.1'] } as tls.ConnectionOptions);
      secure.once('secureConnect', () => done(null, secure));
      secure.once('error', (error) => {
        socket.destroy();
        done(error, null);
      });
    });
    request.end();
  };
}
