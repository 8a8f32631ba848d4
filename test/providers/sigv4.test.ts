import { createHash, createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { canonicalRequest, signatureOf, signRequest, stringToSign } from '../../src/providers/bedrock/sigv4.js';

/*
 * Vectors from AWS's SigV4 test suite: originally published as aws-sig-v4-test-suite.zip with
 * https://docs.aws.amazon.com/general/latest/gr/signature-v4-test-suite.html, now kept in
 * awslabs/aws-c-auth under tests/aws-signing-test-suite/v4/<name>/ (header-signed-request.txt,
 * context.json). Every case uses these credentials, this time, region and service.
 */
const SUITE = {
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY' },
  amzDate: '20150830T123600Z',
  scope: '20150830/us-east-1/service/aws4_request',
  options: { region: 'us-east-1', service: 'service', date: new Date('2015-08-30T12:36:00Z') },
} as const;
const EMPTY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';

/** Signs through the exported steps with exactly the suite's header set (no `x-amz-content-sha256`). */
async function suiteSignature(method: string, url: string, extraHeaders: Record<string, string> = {}): Promise<{ signedHeaders: string; signature: string }> {
  const headers = new Headers({ 'x-amz-date': SUITE.amzDate, ...extraHeaders });
  const canonical = canonicalRequest({ method, url, headers, payloadHash: EMPTY_SHA256 });
  const toSign = await stringToSign(canonical.text, SUITE.amzDate, SUITE.scope);
  const signature = await signatureOf(toSign, SUITE.credentials.secretAccessKey, '20150830', 'us-east-1', 'service');
  return { signedHeaders: canonical.signedHeaders, signature };
}

describe('SigV4 against the AWS test suite', () => {
  it('get-vanilla', async () => {
    const result = await suiteSignature('GET', 'https://example.amazonaws.com/');
    expect(result.signedHeaders).toBe('host;x-amz-date');
    expect(result.signature).toBe('5fa00fa31553b73ebf1942676e86291e8372ff2a2260956d9b8aae1d763fbf31');
  });

  it('get-vanilla canonical request and string to sign', async () => {
    const headers = new Headers({ 'X-Amz-Date': SUITE.amzDate });
    const canonical = canonicalRequest({ method: 'GET', url: 'https://example.amazonaws.com/', headers, payloadHash: EMPTY_SHA256 });
    expect(canonical.text).toBe(`GET\n/\n\nhost:example.amazonaws.com\nx-amz-date:20150830T123600Z\n\nhost;x-amz-date\n${EMPTY_SHA256}`);
    const toSign = await stringToSign(canonical.text, SUITE.amzDate, SUITE.scope);
    expect(toSign.split('\n').slice(0, 3)).toEqual(['AWS4-HMAC-SHA256', '20150830T123600Z', SUITE.scope]);
  });

  it('get-vanilla-query-order-key-case: parameters are sorted before signing', async () => {
    const result = await suiteSignature('GET', 'https://example.amazonaws.com/?Param2=value2&Param1=value1');
    expect(result.signature).toBe('b97d918cfa904a5beff61c982a1b6f458b799221646efd99d3219ec94cdf2500');
  });

  it('post-vanilla', async () => {
    const result = await suiteSignature('POST', 'https://example.amazonaws.com/');
    expect(result.signature).toBe('5da7c1a2acd57cee7505fc6676e4e544621c30862966e37dddb68e92efbe5d6b');
  });

  it('get-vanilla-with-session-token: the token is signed', async () => {
    const token = '6e86291e8372ff2a2260956d9b8aae1d763fbf315fa00fa31553b73ebf194267';
    const result = await suiteSignature('GET', 'https://example.amazonaws.com/', { 'x-amz-security-token': token });
    expect(result.signedHeaders).toBe('host;x-amz-date;x-amz-security-token');
    expect(result.signature).toBe('07ec1639c89043aa0e3e2de82b96708f198cceab042d4a97044c66dd9f74e7f8');
  });

  it('post-x-www-form-urlencoded end to end through signRequest (content hash signed)', async () => {
    const headers = new Headers({ 'Content-Type': 'application/x-www-form-urlencoded', 'Content-Length': '13' });
    const signed = await signRequest(
      { method: 'POST', url: 'https://example.amazonaws.com/', headers, body: 'Param1=value1' },
      SUITE.credentials,
      SUITE.options,
    );
    expect(signed.get('x-amz-date')).toBe(SUITE.amzDate);
    expect(signed.get('x-amz-content-sha256')).toBe('9095672bbd1f56dfc5b65f3e153adc8731a4a654192329106275f4c7b24d0b6e');
    expect(signed.get('authorization')).toBe(
      'AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20150830/us-east-1/service/aws4_request, ' +
        'SignedHeaders=content-length;content-type;host;x-amz-content-sha256;x-amz-date, ' +
        'Signature=d3875051da38690788ef43de4db0d8f280229d82040bfac253562e56c3f20e0b',
    );
  });
});

/** An independent SigV4 written with node:crypto, just for the Bedrock case below. */
function referenceSignature(input: {
  canonicalPath: string;
  headers: Array<[string, string]>;
  body: string;
  secret: string;
  amzDate: string;
  region: string;
}): { signedHeaders: string; signature: string } {
  const sha = (text: string): string => createHash('sha256').update(text).digest('hex');
  const mac = (key: Buffer | string, text: string): Buffer => createHmac('sha256', key).update(text).digest();
  const sorted = [...input.headers].sort(([left], [right]) => left.localeCompare(right));
  const signedHeaders = sorted.map(([name]) => name).join(';');
  const canonical = ['POST', input.canonicalPath, '', sorted.map(([name, value]) => `${name}:${value}\n`).join(''), signedHeaders, sha(input.body)].join('\n');
  const dateStamp = input.amzDate.slice(0, 8);
  const scope = `${dateStamp}/${input.region}/bedrock/aws4_request`;
  const toSign = `AWS4-HMAC-SHA256\n${input.amzDate}\n${scope}\n${sha(canonical)}`;
  const key = mac(mac(mac(mac(`AWS4${input.secret}`, dateStamp), input.region), 'bedrock'), 'aws4_request');
  return { signedHeaders, signature: createHmac('sha256', key).update(toSign).digest('hex') };
}

describe('SigV4 for Bedrock', () => {
  const modelId = 'anthropic.claude-3-5-sonnet-20241022-v2:0';
  const url = `https://bedrock-runtime.us-west-2.amazonaws.com/model/${encodeURIComponent(modelId)}/converse`;
  const body = '{"messages":[{"role":"user","content":[{"text":"Hi"}]}]}';
  const credentials = { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY', sessionToken: 'session-token-value' };
  const date = new Date('2025-01-01T12:00:00Z');

  it("signs a model id's %3A as %253A (the non-S3 double encoding)", () => {
    const canonical = canonicalRequest({ method: 'POST', url, headers: new Headers(), payloadHash: EMPTY_SHA256 });
    expect(canonical.text.split('\n')[1]).toBe('/model/anthropic.claude-3-5-sonnet-20241022-v2%253A0/converse');
  });

  it('matches an independent node:crypto computation, session token and content type included', async () => {
    const headers = new Headers({ 'Content-Type': 'application/json', 'User-Agent': 'test/1.0', Accept: 'application/json' });
    const signed = await signRequest({ method: 'POST', url, headers, body }, credentials, { region: 'us-west-2', service: 'bedrock', date });
    const expected = referenceSignature({
      canonicalPath: '/model/anthropic.claude-3-5-sonnet-20241022-v2%253A0/converse',
      headers: [
        ['accept', 'application/json'],
        ['content-type', 'application/json'],
        ['host', 'bedrock-runtime.us-west-2.amazonaws.com'],
        ['x-amz-content-sha256', createHash('sha256').update(body).digest('hex')],
        ['x-amz-date', '20250101T120000Z'],
        ['x-amz-security-token', 'session-token-value'],
      ],
      body,
      secret: credentials.secretAccessKey,
      amzDate: '20250101T120000Z',
      region: 'us-west-2',
    });
    expect(signed.get('authorization')).toBe(
      `AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/20250101/us-west-2/bedrock/aws4_request, SignedHeaders=${expected.signedHeaders}, Signature=${expected.signature}`,
    );
    expect(signed.get('x-amz-security-token')).toBe('session-token-value');
    expect(signed.get('user-agent')).toBe('test/1.0');
    expect(signed.has('host')).toBe(false);
  });

  it('hashes a Uint8Array body like the same string', async () => {
    const options = { region: 'us-west-2', service: 'bedrock', date };
    const fromString = await signRequest({ method: 'POST', url, headers: new Headers(), body }, credentials, options);
    const fromBytes = await signRequest({ method: 'POST', url, headers: new Headers(), body: new TextEncoder().encode(body) }, credentials, options);
    expect(fromBytes.get('authorization')).toBe(fromString.get('authorization'));
  });

  it('returns a new Headers and leaves the input untouched, replacing a stale authorization', async () => {
    const headers = new Headers({ authorization: 'Bearer stale', 'content-type': 'application/json' });
    const signed = await signRequest({ method: 'POST', url, headers, body }, { accessKeyId: 'A', secretAccessKey: 'B' }, { region: 'us-east-1', service: 'bedrock', date });
    expect(signed).not.toBe(headers);
    expect(headers.get('authorization')).toBe('Bearer stale');
    expect(headers.has('x-amz-date')).toBe(false);
    expect(signed.get('authorization')).toMatch(/^AWS4-HMAC-SHA256 Credential=A\/20250101\/us-east-1\/bedrock\/aws4_request, SignedHeaders=content-type;host;x-amz-content-sha256;x-amz-date, Signature=[0-9a-f]{64}$/);
    expect(signed.has('x-amz-security-token')).toBe(false);
  });

  it('trims and collapses header whitespace and excludes hop-by-hop headers', () => {
    const headers = new Headers({ 'X-Custom': '  a   b  ', Connection: 'keep-alive', 'X-Amzn-Trace-Id': 'Root=1' });
    const canonical = canonicalRequest({ method: 'post', url: 'https://example.amazonaws.com/a//b/', headers, payloadHash: EMPTY_SHA256 });
    expect(canonical.signedHeaders).toBe('host;x-custom');
    expect(canonical.text.split('\n').slice(0, 5)).toEqual(['POST', '/a/b/', '', 'host:example.amazonaws.com', 'x-custom:a b']);
  });

  it('encodes query values per RFC 3986 and sorts equal names by value', () => {
    const canonical = canonicalRequest({ method: 'GET', url: "https://example.amazonaws.com/?b=2&a=x y&a=1&c=it's", headers: new Headers(), payloadHash: EMPTY_SHA256 });
    expect(canonical.text.split('\n')[2]).toBe('a=1&a=x%20y&b=2&c=it%27s');
  });

  it('keeps giving the same signature from the cached key, across many scopes', async () => {
    const options = { region: 'us-west-2', service: 'bedrock', date };
    const first = await signRequest({ method: 'POST', url, headers: new Headers(), body }, credentials, options);
    for (let day = 1; day <= 20; day++) {
      await signRequest({ method: 'POST', url, headers: new Headers(), body }, credentials, { ...options, date: new Date(Date.UTC(2025, 1, day)) });
    }
    const again = await signRequest({ method: 'POST', url, headers: new Headers(), body }, credentials, options);
    expect(again.get('authorization')).toBe(first.get('authorization'));
  });
});
