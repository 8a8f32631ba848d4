import { generateKeyPairSync, sign, type KeyObject } from 'node:crypto';
import { afterEach, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { createMockProvider, type MockProvider } from '../../src/testing/mock-provider.js';

let mock: MockProvider;
let privateKey: KeyObject;
let publicKeyPem: string;
let otherPrivateKey: KeyObject;

const clientEmail = 'sluice-test@my-project.iam.gserviceaccount.com';
const scope = 'https://www.googleapis.com/auth/cloud-platform';

beforeAll(() => {
  const pair = generateKeyPairSync('rsa', { modulusLength: 2048 });
  privateKey = pair.privateKey;
  publicKeyPem = pair.publicKey.export({ type: 'spki', format: 'pem' }).toString();
  otherPrivateKey = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey;
});

beforeEach(async () => {
  mock = await createMockProvider({ vertex: { publicKeyPem, clientEmail } });
});

afterEach(async () => {
  vi.useRealTimers();
  await mock.close();
  expect(mock.openConnections()).toBe(0);
});

function base64url(value: unknown): string {
  return Buffer.from(JSON.stringify(value)).toString('base64url');
}

/** A service-account assertion as google-auth-library builds it. */
function jwt(claims: Record<string, unknown> = {}, key: KeyObject = privateKey): string {
  const nowS = Math.floor(Date.now() / 1000);
  const header = base64url({ alg: 'RS256', typ: 'JWT', kid: 'key-1' });
  const payload = base64url({ iss: clientEmail, scope, aud: `${mock.url}/token`, iat: nowS, exp: nowS + 3600, ...claims });
  const signature = sign('sha256', Buffer.from(`${header}.${payload}`), key).toString('base64url');
  return `${header}.${payload}.${signature}`;
}

function exchange(assertion: string, grantType = 'urn:ietf:params:oauth:grant-type:jwt-bearer'): Promise<Response> {
  return fetch(`${mock.url}/token`, {
    method: 'POST',
    headers: { 'content-type': 'application/x-www-form-urlencoded' },
    body: new URLSearchParams({ grant_type: grantType, assertion }).toString(),
  });
}

async function token(): Promise<string> {
  const response = await exchange(jwt());
  expect(response.status).toBe(200);
  return ((await response.json()) as { access_token: string }).access_token;
}

const base = '/v1/projects/my-project/locations/us-east5/publishers';
const geminiBody = { contents: [{ role: 'user', parts: [{ text: 'hello brave new world' }] }] };
const claudeBody = {
  anthropic_version: 'vertex-2023-10-16',
  max_tokens: 256,
  messages: [{ role: 'user', content: 'hello brave new world' }],
};

function call(path: string, body: unknown, accessToken: string | undefined): Promise<Response> {
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (accessToken !== undefined) headers['authorization'] = `Bearer ${accessToken}`;
  return fetch(`${mock.url}${base}${path}`, { method: 'POST', headers, body: JSON.stringify(body) });
}

describe('Vertex AI token endpoint', () => {
  it('exchanges a signed JWT for a bearer token that the Vertex routes accept', async () => {
    const response = await exchange(jwt());
    const issued = (await response.json()) as Record<string, unknown>;
    expect(issued).toEqual({ access_token: expect.stringMatching(/^ya29\./) as unknown, expires_in: 3599, token_type: 'Bearer' });
    const answer = await call('/google/models/gemini-2.5-flash:generateContent', geminiBody, issued['access_token'] as string);
    expect(answer.status).toBe(200);
    expect(mock.requests.map((request) => request.dialect)).toEqual(['vertex', 'vertex']);
  });

  it('refuses tokens it did not issue, and none at all, with 401 UNAUTHENTICATED', async () => {
    for (const accessToken of ['ya29.forged', undefined]) {
      const response = await call('/google/models/gemini-2.5-flash:generateContent', geminiBody, accessToken);
      expect(response.status).toBe(401);
      expect(response.headers.get('www-authenticate')).toContain('Bearer');
      expect(await response.json()).toMatchObject({ error: { code: 401, status: 'UNAUTHENTICATED' } });
    }
  });

  it('refuses a token once it has expired', async () => {
    const accessToken = await token();
    vi.useFakeTimers({ toFake: ['Date'] });
    vi.setSystemTime(Date.now() + 3600 * 1000);
    const response = await call('/google/models/gemini-2.5-flash:generateContent', geminiBody, accessToken);
    expect(response.status).toBe(401);
  });

  it('checks the signature, audience, issuer, times, scope and grant type', async () => {
    const cases: [string, Response, string, string][] = [
      ['signature', await exchange(jwt({}, otherPrivateKey)), 'invalid_grant', 'Invalid JWT Signature.'],
      ['audience', await exchange(jwt({ aud: 'https://example.com/token' })), 'invalid_grant', 'Invalid JWT: Failed audience check.'],
      ['issuer', await exchange(jwt({ iss: 'someone@else.iam.gserviceaccount.com' })), 'invalid_grant', 'Invalid grant: account not found'],
      ['expired', await exchange(jwt({ iat: 1_000_000, exp: 1_003_600 })), 'invalid_grant', 'Invalid JWT: Token must be a short-lived token'],
      ['too long', await exchange(jwt({ exp: Math.floor(Date.now() / 1000) + 7200 })), 'invalid_grant', 'Invalid JWT: Token must be'],
      ['scope', await exchange(jwt({ scope: '' })), 'invalid_scope', 'Invalid OAuth scope'],
      ['grant', await exchange(jwt(), 'client_credentials'), 'unsupported_grant_type', 'Invalid grant_type: client_credentials'],
    ];
    for (const [label, response, error, description] of cases) {
      expect(response.status, label).toBe(400);
      const body = (await response.json()) as { error: string; error_description: string };
      expect(body.error, label).toBe(error);
      expect(body.error_description.startsWith(description), label).toBe(true);
    }
    expect(await exchange(jwt({ aud: 'https://oauth2.googleapis.com/token' }))).toMatchObject({ status: 200 });
  });

  it('refuses a key that is not PEM when the mock starts', async () => {
    await expect(createMockProvider({ vertex: { publicKeyPem: 'nope' } })).rejects.toThrow(/vertex.publicKeyPem/);
  });
});

describe('Vertex AI model routes', () => {
  it('answers publishers/google generateContent and streamGenerateContent in Gemini shape', async () => {
    const accessToken = await token();
    const whole = (await (await call('/google/models/gemini-2.5-flash:generateContent', geminiBody, accessToken)).json()) as Record<string, unknown>;
    expect(whole).toMatchObject({
      candidates: [{ content: { role: 'model', parts: [{ text: 'Echo: hello brave new world' }] }, finishReason: 'STOP' }],
      modelVersion: 'gemini-2.5-flash',
      usageMetadata: { trafficType: 'ON_DEMAND' },
    });
    expect(typeof whole['createTime']).toBe('string');

    const streamed = await (await call('/google/models/gemini-2.5-flash:streamGenerateContent?alt=sse', geminiBody, accessToken)).text();
    expect(streamed.split('\r\n\r\n').filter((event) => event.length > 0).length).toBeGreaterThanOrEqual(3);
  });

  it('answers publishers/anthropic rawPredict with an Anthropic message named after the path model', async () => {
    const accessToken = await token();
    const response = await call('/anthropic/models/claude-sonnet-4-5@20250929:rawPredict', claudeBody, accessToken);
    expect(await response.json()).toMatchObject({
      type: 'message',
      model: 'claude-sonnet-4-5@20250929',
      content: [{ type: 'text', text: 'Echo: hello brave new world' }],
      stop_reason: 'end_turn',
    });
  });

  it('streams streamRawPredict as Anthropic SSE, and a scripted mid-stream error as event: error', async () => {
    const accessToken = await token();
    const text = await (await call('/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict', { ...claudeBody, stream: true }, accessToken)).text();
    expect(text.startsWith('event: message_start\n')).toBe(true);
    expect(text.endsWith('event: message_stop\ndata: {"type":"message_stop"}\n\n')).toBe(true);

    mock.script({ kind: 'mid-stream-error', afterChunks: 2, match: { dialect: 'vertex' } });
    const broken = await (await call('/anthropic/models/claude-sonnet-4-5@20250929:streamRawPredict', claudeBody, accessToken)).text();
    expect(broken.endsWith('event: error\ndata: {"type":"error","error":{"type":"overloaded_error","message":"Overloaded"}}\n\n')).toBe(true);
  });

  it('answers 400 when the Anthropic body lacks anthropic_version', async () => {
    const accessToken = await token();
    const { anthropic_version: _omitted, ...body } = claudeBody;
    const response = await call('/anthropic/models/claude-sonnet-4-5@20250929:rawPredict', body, accessToken);
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ type: 'error', error: { type: 'invalid_request_error', message: 'anthropic_version: Field required' } });
  });

  it('rate-limit: Google 429 RESOURCE_EXHAUSTED naming aiplatform, whatever the publisher', async () => {
    const accessToken = await token();
    mock.script({ kind: 'rate-limit' });
    const response = await call('/anthropic/models/claude-sonnet-4-5@20250929:rawPredict', claudeBody, accessToken);
    expect(response.status).toBe(429);
    const body = (await response.json()) as { error: { status: string; details: { violations?: { quotaMetric: string }[] }[] } };
    expect(body.error.status).toBe('RESOURCE_EXHAUSTED');
    expect(body.error.details[0]?.violations?.[0]?.quotaMetric).toMatch(/^aiplatform\.googleapis\.com\//);
  });

  it('error steps keep the model publisher\'s body: Anthropic 529, Gemini 503', async () => {
    const accessToken = await token();
    mock.script({ kind: 'error', status: 529 }, { kind: 'error', status: 503 });
    const claude = await call('/anthropic/models/claude-sonnet-4-5@20250929:rawPredict', claudeBody, accessToken);
    expect(claude.status).toBe(529);
    expect(await claude.json()).toMatchObject({ type: 'error', error: { type: 'overloaded_error' } });
    const gemini = await call('/google/models/gemini-2.5-flash:generateContent', geminiBody, accessToken);
    expect(await gemini.json()).toMatchObject({ error: { code: 503, status: 'UNAVAILABLE' } });
  });
});
