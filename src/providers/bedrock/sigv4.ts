/**
 * AWS Signature Version 4 for header-signed requests (Bedrock Runtime and any other non-S3 service), on
 * web platform APIs only: `crypto.subtle` and `TextEncoder`. Sign last, after every edit to the body.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 * @module
 */

/** Long-term or temporary AWS credentials. */
export interface AwsCredentials {
  accessKeyId: string;
  secretAccessKey: string;
  /** Present for temporary credentials (STS, SSO, instance roles); sent and signed as `x-amz-security-token`. */
  sessionToken?: string;
}

/** The request to sign. */
export interface SignableRequest {
  method: string;
  /** The URL as it will be fetched; its path is signed exactly as it will go on the wire. */
  url: string;
  headers: Headers;
  body: string | Uint8Array;
}

/** Where and when the signature applies. */
export interface SigningOptions {
  /** The AWS region, e.g. `us-east-1`. */
  region: string;
  /** The signing name: `bedrock` for Bedrock Runtime, not the host's `bedrock-runtime`. */
  service: string;
  /** The signing time; signatures are accepted for about five minutes around it. */
  date: Date;
}

const ALGORITHM = 'AWS4-HMAC-SHA256';
/** Never signed: set or rewritten by the platform or by proxies on the way. */
const UNSIGNED_HEADERS = new Set([
  'authorization',
  'user-agent',
  'x-amzn-trace-id',
  'expect',
  'connection',
  'keep-alive',
  'proxy-authenticate',
  'proxy-authorization',
  'proxy-connection',
  'te',
  'trailer',
  'transfer-encoding',
  'upgrade',
]);

const encoder = /*@__PURE__*/ new TextEncoder();

/**
 * Signs a request with SigV4 in the `Authorization` header.
 * @param request The method, the final URL, the headers to sign and the exact body bytes.
 * @param credentials The access key pair, with a session token for temporary credentials.
 * @param options Region, service signing name and signing time.
 * @returns A new `Headers`: the given ones plus `x-amz-date`, `x-amz-content-sha256`,
 *   `x-amz-security-token` (with a session token) and `authorization`. `host` is signed from the URL
 *   but not added, since `fetch` sets it.
 * @example
 * const headers = await signRequest(
 *   { method: 'POST', url, headers: new Headers({ 'content-type': 'application/json' }), body },
 *   { accessKeyId, secretAccessKey },
 *   { region: 'us-east-1', service: 'bedrock', date: new Date(now()) },
 * );
 */
export async function signRequest(request: SignableRequest, credentials: AwsCredentials, options: SigningOptions): Promise<Headers> {
  const amzDate = toAmzDate(options.date);
  const dateStamp = amzDate.slice(0, 8);
  const payloadHash = await sha256Hex(request.body);
  const headers = new Headers(request.headers);
  headers.delete('authorization');
  headers.set('x-amz-date', amzDate);
  headers.set('x-amz-content-sha256', payloadHash);
  if (credentials.sessionToken !== undefined) headers.set('x-amz-security-token', credentials.sessionToken);
  else headers.delete('x-amz-security-token');

  const canonical = canonicalRequest({ method: request.method, url: request.url, headers, payloadHash });
  const scope = `${dateStamp}/${options.region}/${options.service}/aws4_request`;
  const toSign = await stringToSign(canonical.text, amzDate, scope);
  const key = await signingKey(credentials.secretAccessKey, dateStamp, options.region, options.service);
  const signature = toHex(await crypto.subtle.sign('HMAC', key, encoder.encode(toSign)));
  headers.set(
    'authorization',
    `${ALGORITHM} Credential=${credentials.accessKeyId}/${scope}, SignedHeaders=${canonical.signedHeaders}, Signature=${signature}`,
  );
  return headers;
}

/** What {@link canonicalRequest} reads. */
export interface CanonicalRequestInput {
  method: string;
  url: string;
  /** Every header to sign except `host`, which comes from the URL. */
  headers: Headers;
  /** Hex SHA-256 of the body. */
  payloadHash: string;
}

/**
 * Builds the canonical request (step 1 of SigV4) for a non-S3 service.
 * @param input The method, URL, headers and payload hash.
 * @returns The canonical request text and the `;`-joined signed header names.
 * @example
 * canonicalRequest({ method: 'GET', url: 'https://example.amazonaws.com/', headers, payloadHash }).signedHeaders; // 'host;x-amz-date'
 */
export function canonicalRequest(input: CanonicalRequestInput): { text: string; signedHeaders: string } {
  const url = new URL(input.url);
  const entries: Array<[string, string]> = [['host', url.host]];
  for (const [name, value] of input.headers) {
    // Headers iterates lower-cased names, sorted, duplicates already joined with ', '.
    if (name === 'host' || UNSIGNED_HEADERS.has(name)) continue;
    entries.push([name, value.trim().replace(/\s+/g, ' ')]);
  }
  entries.sort((left, right) => (left[0] < right[0] ? -1 : left[0] > right[0] ? 1 : 0));
  const signedHeaders = entries.map(([name]) => name).join(';');
  const text = [
    input.method.toUpperCase(),
    canonicalUri(url.pathname),
    canonicalQuery(url.search),
    entries.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders,
    input.payloadHash,
  ].join('\n');
  return { text, signedHeaders };
}

/**
 * Builds the string to sign (step 2 of SigV4).
 * @param canonical The canonical request text.
 * @param amzDate The `x-amz-date` value (`20150830T123600Z`).
 * @param scope `<yyyymmdd>/<region>/<service>/aws4_request`.
 * @returns `AWS4-HMAC-SHA256`, the date, the scope and the hex SHA-256 of the canonical request, on four lines.
 */
export async function stringToSign(canonical: string, amzDate: string, scope: string): Promise<string> {
  return `${ALGORITHM}\n${amzDate}\n${scope}\n${await sha256Hex(canonical)}`;
}

/**
 * Computes the hex signature of a string to sign (steps 3 and 4 of SigV4).
 * @param toSign The string to sign.
 * @param secretAccessKey The secret key.
 * @param dateStamp `yyyymmdd`, the first part of the scope.
 * @param region The scope's region.
 * @param service The scope's service.
 * @returns The lower-case hex HMAC-SHA256.
 */
export async function signatureOf(toSign: string, secretAccessKey: string, dateStamp: string, region: string, service: string): Promise<string> {
  const key = await signingKey(secretAccessKey, dateStamp, region, service);
  return toHex(await crypto.subtle.sign('HMAC', key, encoder.encode(toSign)));
}

/** Signing keys change daily, per region and service; a handful covers every live configuration. */
const SIGNING_KEY_CACHE_MAX = 16;
const signingKeys = new Map<string, Promise<CryptoKey>>();

/**
 * The derived signing key, cached. Overflow policy: the oldest entry is evicted (entries from past
 * days are never used again).
 */
function signingKey(secret: string, dateStamp: string, region: string, service: string): Promise<CryptoKey> {
  const cacheKey = `${dateStamp}\n${region}\n${service}\n${secret}`;
  const cached = signingKeys.get(cacheKey);
  if (cached !== undefined) return cached;
  const derived = deriveSigningKey(secret, dateStamp, region, service);
  if (signingKeys.size >= SIGNING_KEY_CACHE_MAX) {
    const oldest = signingKeys.keys().next();
    if (oldest.done !== true) signingKeys.delete(oldest.value);
  }
  signingKeys.set(cacheKey, derived);
  // A failed derivation must not stay cached.
  derived.catch(() => signingKeys.delete(cacheKey));
  return derived;
}

async function deriveSigningKey(secret: string, dateStamp: string, region: string, service: string): Promise<CryptoKey> {
  let key: ArrayBuffer = await hmac(encoder.encode(`AWS4${secret}`), dateStamp);
  key = await hmac(new Uint8Array(key), region);
  key = await hmac(new Uint8Array(key), service);
  key = await hmac(new Uint8Array(key), 'aws4_request');
  return importHmacKey(new Uint8Array(key));
}

function importHmacKey(raw: Uint8Array<ArrayBuffer>): Promise<CryptoKey> {
  return crypto.subtle.importKey('raw', raw, { name: 'HMAC', hash: 'SHA-256' }, false, ['sign']);
}

async function hmac(raw: Uint8Array<ArrayBuffer>, data: string): Promise<ArrayBuffer> {
  return crypto.subtle.sign('HMAC', await importHmacKey(raw), encoder.encode(data));
}

async function sha256Hex(data: string | Uint8Array): Promise<string> {
  const bytes = typeof data === 'string' ? encoder.encode(data) : new Uint8Array(data);
  return toHex(await crypto.subtle.digest('SHA-256', bytes));
}

const HEX = '0123456789abcdef';

function toHex(buffer: ArrayBuffer): string {
  let text = '';
  for (const byte of new Uint8Array(buffer)) text += HEX[byte >> 4]! + HEX[byte & 15]!;
  return text;
}

/** `2015-08-30T12:36:00.000Z` → `20150830T123600Z`. */
function toAmzDate(date: Date): string {
  return date.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

/** RFC 3986 encoding: everything but unreserved characters, `%XX` upper-case. */
function uriEncode(text: string): string {
  return encodeURIComponent(text).replace(/[!'()*]/g, (character) => `%${character.charCodeAt(0).toString(16).toUpperCase()}`);
}

/**
 * Non-S3 rule: each segment of the path as it goes on the wire is encoded once more, so a model id's
 * `%3A` is signed as `%253A` (AWS decodes the path once before comparing). Empty segments collapse, as
 * AWS normalises `//` for every service but S3.
 */
function canonicalUri(pathname: string): string {
  const segments = pathname.split('/').filter((segment) => segment !== '');
  if (segments.length === 0) return '/';
  const trailing = pathname.endsWith('/') ? '/' : '';
  return `/${segments.map(uriEncode).join('/')}${trailing}`;
}

/** Parameters decoded, re-encoded per RFC 3986 and sorted by name then value. */
function canonicalQuery(search: string): string {
  if (search.length <= 1) return '';
  const pairs: Array<[string, string]> = [];
  for (const part of search.slice(1).split('&')) {
    if (part === '') continue;
    const equals = part.indexOf('=');
    const name = equals === -1 ? part : part.slice(0, equals);
    const value = equals === -1 ? '' : part.slice(equals + 1);
    pairs.push([uriEncode(decodeQueryPart(name)), uriEncode(decodeQueryPart(value))]);
  }
  pairs.sort((left, right) => (left[0] < right[0] ? -1 : left[0] > right[0] ? 1 : left[1] < right[1] ? -1 : left[1] > right[1] ? 1 : 0));
  return pairs.map(([name, value]) => `${name}=${value}`).join('&');
}

function decodeQueryPart(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    // A stray '%' is sent as-is; signing it literally is what the server will see.
    return text;
  }
}
