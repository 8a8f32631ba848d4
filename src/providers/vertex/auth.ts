/**
 * Vertex AI access tokens from a Google Cloud service-account key: a self-signed RS256 JWT exchanged
 * at the OAuth token endpoint (the JWT bearer grant, RFC 7523), cached until shortly before it
 * expires. Web platform only: `fetch` is passed in, signing uses `crypto.subtle`.
 * @module
 */

/** The fields of a service-account key file that the token exchange needs. */
export interface ServiceAccountKey {
  client_email: string;
  /** PEM, PKCS#8 (`-----BEGIN PRIVATE KEY-----`), as in Google's key files. */
  private_key: string;
  /** @default 'https://oauth2.googleapis.com/token' */
  token_uri?: string;
  /** Sent as the JWT's `kid`, so Google picks the right public key at once. */
  private_key_id?: string;
}

/** Options of {@link createVertexTokenSource}. */
export interface VertexTokenSourceOptions {
  /** The service account's key. */
  credentials: ServiceAccountKey;
  /** The fetch that reaches the token endpoint. */
  fetch: typeof fetch;
  /** Milliseconds since the epoch. */
  now: () => number;
  /** @default 'https://www.googleapis.com/auth/cloud-platform' */
  scope?: string;
}

/** Hands out access tokens, refreshing them as needed. */
export interface VertexTokenSource {
  /**
   * Returns a valid access token.
   * @param signal Aborts this caller's wait; a refresh shared with other callers goes on for them.
   */
  getToken(signal?: AbortSignal): Promise<string>;
}

const DEFAULT_TOKEN_URI = 'https://oauth2.googleapis.com/token';
const DEFAULT_SCOPE = 'https://www.googleapis.com/auth/cloud-platform';
const JWT_LIFETIME_SECONDS = 3600;
/** A token is replaced this long before it expires, so no request leaves with one about to lapse. */
const EXPIRY_MARGIN_MS = 60_000;

/**
 * Reads and checks a service-account key file.
 * @param json The key file's text, or its parsed object.
 * @returns The key's fields Sluice uses.
 * @throws Error naming the missing or malformed field (never echoing the key).
 * @example
 * const key = parseServiceAccountKey(await readFile('key.json', 'utf8'));
 */
export function parseServiceAccountKey(json: string | object): ServiceAccountKey {
  let value: unknown = json;
  if (typeof json === 'string') {
    try {
      value = JSON.parse(json);
    } catch {
      throw new Error('service-account key: expected the JSON text of a Google Cloud key file');
    }
  }
  if (typeof value !== 'object' || value === null || Array.isArray(value)) throw new Error('service-account key: expected a JSON object');
  const record = value as Record<string, unknown>;
  if (record['type'] !== undefined && record['type'] !== 'service_account') {
    throw new Error(`service-account key: "type" is ${JSON.stringify(record['type'])}; expected "service_account"`);
  }
  const email = record['client_email'];
  if (typeof email !== 'string' || !email.includes('@')) throw new Error('service-account key: "client_email" must be the service account\'s email address');
  const privateKey = record['private_key'];
  if (typeof privateKey !== 'string' || !privateKey.includes('-----BEGIN PRIVATE KEY-----')) {
    throw new Error('service-account key: "private_key" must be a PEM PKCS#8 key ("-----BEGIN PRIVATE KEY-----")');
  }
  const key: ServiceAccountKey = { client_email: email, private_key: privateKey };
  const tokenUri = record['token_uri'];
  if (tokenUri !== undefined) {
    if (typeof tokenUri !== 'string' || !/^https?:\/\//.test(tokenUri)) throw new Error('service-account key: "token_uri" must be an http(s) URL');
    key.token_uri = tokenUri;
  }
  const keyId = record['private_key_id'];
  if (keyId !== undefined) {
    if (typeof keyId !== 'string') throw new Error('service-account key: "private_key_id" must be a string');
    key.private_key_id = keyId;
  }
  return key;
}

/**
 * Creates a source of Vertex AI access tokens for one service account.
 * @param options The key, the fetch and the clock.
 * @returns A source that caches each token until 60 s before it expires and shares one refresh
 *   between concurrent callers. A failed refresh throws an Error naming the endpoint and its status.
 * @example
 * const tokens = createVertexTokenSource({ credentials: key, fetch, now: Date.now });
 * headers.set('authorization', `Bearer ${await tokens.getToken(signal)}`);
 */
export function createVertexTokenSource(options: VertexTokenSourceOptions): VertexTokenSource {
  const { credentials, now } = options;
  const fetchImpl = options.fetch;
  const tokenUri = credentials.token_uri ?? DEFAULT_TOKEN_URI;
  const scope = options.scope ?? DEFAULT_SCOPE;
  let signingKey: Promise<CryptoKey> | null = null;
  let cached: { token: string; refreshAtMs: number } | null = null;
  let inflight: { promise: Promise<string>; controller: AbortController; waiters: number } | null = null;

  const refresh = async (signal: AbortSignal): Promise<string> => {
    signingKey ??= importPrivateKey(credentials.private_key);
    // A rejected import stays rejected (a bad key does not heal), so it is not retried per call.
    const assertion = await signJwt(await signingKey, credentials, tokenUri, scope, Math.floor(now() / 1000));
    const response = await fetchImpl(tokenUri, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams({ grant_type: 'urn:ietf:params:oauth:grant-type:jwt-bearer', assertion }).toString(),
      signal,
    });
    const text = await response.text();
    let body: unknown = null;
    try {
      body = JSON.parse(text);
    } catch {
      // Not JSON (a proxy's HTML page): the status alone is reported.
    }
    if (!response.ok) throw new Error(`Vertex AI token request failed: ${tokenUri} answered HTTP ${response.status}${oauthError(body)}`);
    const record = typeof body === 'object' && body !== null ? (body as Record<string, unknown>) : {};
    const token = record['access_token'];
    if (typeof token !== 'string' || token === '') throw new Error(`Vertex AI token request failed: ${tokenUri} answered without an access_token`);
    const expiresIn = typeof record['expires_in'] === 'number' ? record['expires_in'] : JWT_LIFETIME_SECONDS;
    cached = { token, refreshAtMs: now() + expiresIn * 1000 - EXPIRY_MARGIN_MS };
    return token;
  };

  return {
    async getToken(signal) {
      if (cached !== null && now() < cached.refreshAtMs) return cached.token;
      signal?.throwIfAborted();
      if (inflight === null) {
        const controller = new AbortController();
        const promise = refresh(controller.signal).finally(() => {
          if (inflight?.promise === promise) inflight = null;
        });
        // Every waiter may have given up; the rejection is theirs to see, not an unhandled one.
        promise.catch(() => undefined);
        inflight = { promise, controller, waiters: 0 };
      }
      const shared = inflight;
      shared.waiters++;
      try {
        return await waitFor(shared.promise, signal);
      } finally {
        shared.waiters--;
        // When every caller has given up, stop the exchange so a hung endpoint holds nothing open.
        if (shared.waiters === 0 && inflight === shared && signal?.aborted === true) {
          inflight = null;
          shared.controller.abort(signal.reason);
        }
      }
    },
  };
}

/** The OAuth error code and description, which say what is wrong and never contain the assertion. */
function oauthError(body: unknown): string {
  if (typeof body !== 'object' || body === null) return '';
  const { error, error_description: description } = body as Record<string, unknown>;
  if (typeof error !== 'string') return '';
  const detail = typeof description === 'string' ? `: ${description.slice(0, 200)}` : '';
  return ` (${error.slice(0, 100)}${detail})`;
}

function waitFor<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (signal === undefined) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error);
      },
    );
  });
}

function importPrivateKey(pem: string): Promise<CryptoKey> {
  const base64 = pem.replace(/-----(BEGIN|END) PRIVATE KEY-----/g, '').replace(/\s+/g, '');
  let der: Uint8Array<ArrayBuffer>;
  try {
    der = Uint8Array.from(atob(base64), (character) => character.charCodeAt(0));
  } catch {
    return Promise.reject(new Error('service-account key: "private_key" is not valid PEM'));
  }
  return crypto.subtle
    .importKey('pkcs8', der, { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256' }, false, ['sign'])
    .catch(() => Promise.reject(new Error('service-account key: "private_key" is not an RSA PKCS#8 key')));
}

const encoder = /*@__PURE__*/ new TextEncoder();

function base64Url(bytes: Uint8Array): string {
  let binary = '';
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

async function signJwt(key: CryptoKey, credentials: ServiceAccountKey, audience: string, scope: string, issuedAt: number): Promise<string> {
  const header: Record<string, string> = { alg: 'RS256', typ: 'JWT' };
  if (credentials.private_key_id !== undefined) header['kid'] = credentials.private_key_id;
  const claims = { iss: credentials.client_email, scope, aud: audience, iat: issuedAt, exp: issuedAt + JWT_LIFETIME_SECONDS };
  const unsigned = `${base64Url(encoder.encode(JSON.stringify(header)))}.${base64Url(encoder.encode(JSON.stringify(claims)))}`;
  const signature = await crypto.subtle.sign('RSASSA-PKCS1-v1_5', key, encoder.encode(unsigned));
  return `${unsigned}.${base64Url(new Uint8Array(signature))}`;
}
