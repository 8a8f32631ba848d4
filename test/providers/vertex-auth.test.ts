import { generateKeyPairSync, verify } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createVertexTokenSource, parseServiceAccountKey, type ServiceAccountKey } from '../../src/providers/vertex/auth.js';

const { privateKey, publicKey } = generateKeyPairSync('rsa', {
  modulusLength: 2048,
  privateKeyEncoding: { type: 'pkcs8', format: 'pem' },
  publicKeyEncoding: { type: 'spki', format: 'pem' },
});

interface Exchange {
  header: Record<string, unknown>;
  claims: Record<string, unknown>;
  assertion: string;
  contentType: string | undefined;
  grantType: string | null;
  signatureValid: boolean;
}

const exchanges: Exchange[] = [];
/** How the token endpoint answers the next request; a test may replace it. */
let answer: (exchange: Exchange, response: ServerResponse) => void;
let server: Server;
let tokenUri: string;

const decodePart = (part: string): Record<string, unknown> => JSON.parse(Buffer.from(part, 'base64url').toString('utf8')) as Record<string, unknown>;

function handle(request: IncomingMessage, response: ServerResponse): void {
  const body: Buffer[] = [];
  request.on('data', (chunk: Buffer) => body.push(chunk));
  request.on('end', () => {
    const form = new URLSearchParams(Buffer.concat(body).toString('utf8'));
    const assertion = form.get('assertion') ?? '';
    const [header = '', claims = '', signature = ''] = assertion.split('.');
    const exchange: Exchange = {
      header: decodePart(header),
      claims: decodePart(claims),
      assertion,
      contentType: request.headers['content-type'],
      grantType: form.get('grant_type'),
      // The server checks the RS256 signature with the public half, as Google does.
      signatureValid: verify('sha256', Buffer.from(`${header}.${claims}`), publicKey, Buffer.from(signature, 'base64url')),
    };
    exchanges.push(exchange);
    answer(exchange, response);
  });
}

const okAnswer = (token: string, expiresIn = 3599) => (_exchange: Exchange, response: ServerResponse): void => {
  response.writeHead(200, { 'content-type': 'application/json' });
  response.end(JSON.stringify({ access_token: token, expires_in: expiresIn, token_type: 'Bearer' }));
};

beforeAll(async () => {
  server = createServer(handle);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  tokenUri = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`;
});

afterAll(async () => {
  server.closeAllConnections();
  await new Promise<void>((resolve) => server.close(() => resolve()));
});

beforeEach(() => {
  exchanges.length = 0;
  answer = okAnswer('ya29.first');
});

function key(overrides: Partial<ServiceAccountKey> = {}): ServiceAccountKey {
  return { client_email: 'sluice@project.iam.gserviceaccount.com', private_key: privateKey, token_uri: tokenUri, private_key_id: 'kid-1', ...overrides };
}

describe('createVertexTokenSource', () => {
  it('signs an RS256 JWT bearer assertion the token endpoint can verify', async () => {
    const nowMs = 1_735_689_600_000;
    const source = createVertexTokenSource({ credentials: key(), fetch, now: () => nowMs });
    expect(await source.getToken()).toBe('ya29.first');
    expect(exchanges).toHaveLength(1);
    const [exchange] = exchanges;
    expect(exchange!.contentType).toBe('application/x-www-form-urlencoded');
    expect(exchange!.grantType).toBe('urn:ietf:params:oauth:grant-type:jwt-bearer');
    expect(exchange!.signatureValid).toBe(true);
    expect(exchange!.header).toEqual({ alg: 'RS256', typ: 'JWT', kid: 'kid-1' });
    expect(exchange!.claims).toEqual({
      iss: 'sluice@project.iam.gserviceaccount.com',
      scope: 'https://www.googleapis.com/auth/cloud-platform',
      aud: tokenUri,
      iat: 1_735_689_600,
      exp: 1_735_689_600 + 3600,
    });
  });

  it('uses the given scope and leaves kid out when the key has no id', async () => {
    const source = createVertexTokenSource({ credentials: key({ private_key_id: undefined as unknown as string }), fetch, now: () => 0, scope: 'https://www.googleapis.com/auth/generative-language' });
    await source.getToken();
    expect(exchanges[0]!.header).toEqual({ alg: 'RS256', typ: 'JWT' });
    expect(exchanges[0]!.claims['scope']).toBe('https://www.googleapis.com/auth/generative-language');
  });

  it('caches the token until 60 s before it expires', async () => {
    let nowMs = 0;
    const source = createVertexTokenSource({ credentials: key(), fetch, now: () => nowMs });
    answer = okAnswer('ya29.first', 3600);
    expect(await source.getToken()).toBe('ya29.first');
    nowMs = (3600 - 61) * 1000;
    expect(await source.getToken()).toBe('ya29.first');
    expect(exchanges).toHaveLength(1);
    answer = okAnswer('ya29.second', 3600);
    nowMs = (3600 - 60) * 1000;
    expect(await source.getToken()).toBe('ya29.second');
    expect(exchanges).toHaveLength(2);
    expect(exchanges[1]!.claims['iat']).toBe(3540);
  });

  it('shares one refresh between concurrent callers', async () => {
    const source = createVertexTokenSource({ credentials: key(), fetch, now: () => 0 });
    const tokens = await Promise.all([source.getToken(), source.getToken(), source.getToken()]);
    expect(tokens).toEqual(['ya29.first', 'ya29.first', 'ya29.first']);
    expect(exchanges).toHaveLength(1);
  });

  it('throws an error naming the endpoint status, never the key or the assertion, and tries again next time', async () => {
    answer = (_exchange, response) => {
      response.writeHead(400, { 'content-type': 'application/json' });
      response.end(JSON.stringify({ error: 'invalid_grant', error_description: 'Invalid JWT Signature.' }));
    };
    const source = createVertexTokenSource({ credentials: key(), fetch, now: () => 0 });
    const error = await source.getToken().then(
      () => null,
      (reason: unknown) => reason as Error,
    );
    expect(error).toBeInstanceOf(Error);
    expect(error!.message).toBe(`Vertex AI token request failed: ${tokenUri} answered HTTP 400 (invalid_grant: Invalid JWT Signature.)`);
    expect(error!.message).not.toContain(exchanges[0]!.assertion.split('.')[2]!);
    expect(error!.message).not.toContain('PRIVATE KEY');
    answer = okAnswer('ya29.after');
    expect(await source.getToken()).toBe('ya29.after');
  });

  it('reports an answer that is not JSON by its status alone', async () => {
    answer = (_exchange, response) => {
      response.writeHead(503, { 'content-type': 'text/html' });
      response.end('<html>unavailable</html>');
    };
    const source = createVertexTokenSource({ credentials: key(), fetch, now: () => 0 });
    await expect(source.getToken()).rejects.toThrow(`Vertex AI token request failed: ${tokenUri} answered HTTP 503`);
  });

  it("rejects an aborted caller's wait, and stops a refresh every caller gave up on", async () => {
    const held: ServerResponse[] = [];
    answer = (_exchange, response) => held.push(response);
    const source = createVertexTokenSource({ credentials: key(), fetch, now: () => 0 });
    const first = new AbortController();
    const second = new AbortController();
    const waits = [source.getToken(first.signal), source.getToken(second.signal)];
    await expect.poll(() => held.length).toBe(1);
    first.abort(new Error('first gave up'));
    await expect(waits[0]).rejects.toThrow('first gave up');
    second.abort(new Error('second gave up'));
    await expect(waits[1]).rejects.toThrow('second gave up');
    // The abandoned exchange closes its connection; the next caller starts a fresh one.
    await expect.poll(() => held[0]!.destroyed || held[0]!.writableEnded || held[0]!.socket?.destroyed === true).toBe(true);
    answer = okAnswer('ya29.fresh');
    expect(await source.getToken()).toBe('ya29.fresh');
    expect(exchanges).toHaveLength(2);
  });

  it('lets other callers finish a shared refresh when one gives up', async () => {
    const held: ServerResponse[] = [];
    answer = (_exchange, response) => held.push(response);
    const source = createVertexTokenSource({ credentials: key(), fetch, now: () => 0 });
    const quitter = new AbortController();
    const gaveUp = source.getToken(quitter.signal);
    const stays = source.getToken();
    await expect.poll(() => held.length).toBe(1);
    quitter.abort(new Error('gave up'));
    await expect(gaveUp).rejects.toThrow('gave up');
    okAnswer('ya29.shared')(exchanges[0]!, held[0]!);
    expect(await stays).toBe('ya29.shared');
    expect(exchanges).toHaveLength(1);
  });

  it('rejects at once when the signal is already aborted', async () => {
    const source = createVertexTokenSource({ credentials: key(), fetch, now: () => 0 });
    await expect(source.getToken(AbortSignal.abort(new Error('too late')))).rejects.toThrow('too late');
    expect(exchanges).toHaveLength(0);
  });

  it('says when the private key is not an RSA PKCS#8 key', async () => {
    const source = createVertexTokenSource({ credentials: key({ private_key: '-----BEGIN PRIVATE KEY-----\nAAAA\n-----END PRIVATE KEY-----\n' }), fetch, now: () => 0 });
    await expect(source.getToken()).rejects.toThrow('service-account key: "private_key" is not an RSA PKCS#8 key');
  });
});

describe('parseServiceAccountKey', () => {
  const file = { type: 'service_account', project_id: 'p', private_key_id: 'kid-1', private_key: privateKey, client_email: 'a@p.iam.gserviceaccount.com', token_uri: 'https://oauth2.googleapis.com/token' };

  it('reads a key file from its text or its object', () => {
    const expected = { client_email: 'a@p.iam.gserviceaccount.com', private_key: privateKey, token_uri: 'https://oauth2.googleapis.com/token', private_key_id: 'kid-1' };
    expect(parseServiceAccountKey(JSON.stringify(file))).toEqual(expected);
    expect(parseServiceAccountKey(file)).toEqual(expected);
  });

  it.each([
    ['text that is not JSON', '{not json', 'expected the JSON text of a Google Cloud key file'],
    ['an array', [], 'expected a JSON object'],
    ['another kind of credential', { ...file, type: 'authorized_user' }, '"type" is "authorized_user"'],
    ['no client_email', { ...file, client_email: undefined }, '"client_email"'],
    ['a PKCS#1 key', { ...file, private_key: '-----BEGIN RSA PRIVATE KEY-----\nAAAA\n-----END RSA PRIVATE KEY-----' }, '"private_key" must be a PEM PKCS#8 key'],
    ['a token_uri that is not a URL', { ...file, token_uri: 'oauth2' }, '"token_uri"'],
  ])('refuses %s with a clear message', (_name, input, message) => {
    expect(() => parseServiceAccountKey(input as string | object)).toThrow(message);
  });

  it('never echoes the private key in its messages', () => {
    const secret = privateKey.split('\n')[1]!;
    try {
      parseServiceAccountKey({ ...file, client_email: 42 });
    } catch (error) {
      expect((error as Error).message).not.toContain(secret);
    }
  });
});
