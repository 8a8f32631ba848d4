/**
 * The mock's credential checks, one per dialect, each refusing with that dialect's own answer: OpenAI
 * and Ollama bearer keys, Azure `api-key`, Anthropic `x-api-key` (or bearer), Gemini `x-goog-api-key`
 * (or `?key=`), Vertex OAuth tokens, and Bedrock SigV4 signatures (recomputed per request) or API keys.
 *
 * @module
 */

import { createHash, timingSafeEqual } from 'node:crypto';
import { canonicalRequest, signatureOf, stringToSign } from '../../providers/bedrock/sigv4.js';
import { anthropicInvalidKeyRender } from './anthropic.js';
import { azureInvalidKeyRender } from './azure.js';
import { bedrockErrorRender } from './bedrock.js';
import { geminiInvalidKeyRender, googleErrorFields, googleErrorRender } from './gemini.js';
import { invalidKeyRender } from './openai-common.js';
import { ollamaErrorRender } from './ollama.js';
import type { JsonRender, Route } from './render.js';
import type { VertexTokenIssuer } from './vertex.js';

/** AWS credentials the mock checks Bedrock SigV4 signatures against. */
export interface MockAwsCredentials {
  /** The access key id the `Credential=` scope must name. */
  accessKeyId: string;
  /** The secret the signature is recomputed with. */
  secretAccessKey: string;
  /** The region the scope must name, e.g. `us-east-1`. */
  region: string;
  /**
   * When set, the signed `x-amz-security-token` must equal it (temporary credentials).
   * @default undefined (no session token expected)
   */
  sessionToken?: string;
}

/** What the checks need, fixed when the mock starts. */
export interface AuthConfig {
  readonly apiKey: string | undefined;
  readonly bedrockApiKey: string | undefined;
  readonly aws: MockAwsCredentials | undefined;
  readonly vertexTokens: VertexTokenIssuer | undefined;
  readonly nowMs: () => number;
}

/** What the checks read of a request. */
export interface AuthRequest {
  readonly method: string;
  readonly path: string;
  readonly query: string;
  readonly headers: Readonly<Record<string, string>>;
  readonly bodyBytes: Uint8Array;
  /** The request id the mock answers with, echoed in Anthropic's error body. */
  readonly requestId: string;
}

/** A refusal to answer instead of the request, or undefined to go on. */
export type AuthVerdict = JsonRender | undefined;

function bearer(headers: Readonly<Record<string, string>>): string | undefined {
  const authorization = headers['authorization'];
  if (authorization === undefined) return undefined;
  const match = /^Bearer\s+(.+)$/i.exec(authorization);
  return match?.[1]?.trim();
}

function isSame(left: string, right: string): boolean {
  const leftBytes = Buffer.from(left);
  const rightBytes = Buffer.from(right);
  return leftBytes.length === rightBytes.length && timingSafeEqual(leftBytes, rightBytes);
}

function checkVertex(request: AuthRequest, config: AuthConfig): AuthVerdict {
  const token = bearer(request.headers);
  const isValid =
    config.vertexTokens !== undefined
      ? token !== undefined && config.vertexTokens.accepts(token)
      : config.apiKey === undefined || (token !== undefined && isSame(token, config.apiKey));
  if (isValid) return undefined;
  const render = googleErrorRender(googleErrorFields(401));
  return { ...render, headers: { ...render.headers, 'www-authenticate': 'Bearer realm="https://accounts.google.com/"' } };
}

function checkGemini(request: AuthRequest, apiKey: string): AuthVerdict {
  const presented = request.headers['x-goog-api-key'] ?? new URLSearchParams(request.query).get('key') ?? undefined;
  if (presented === undefined) return geminiInvalidKeyRender(true);
  return isSame(presented, apiKey) ? undefined : geminiInvalidKeyRender(false);
}

function awsDate(milliseconds: number): string {
  return new Date(milliseconds).toISOString().replace(/[-:]/g, '').replace(/\.\d{3}/, '');
}

function parseAmzDate(text: string): number | undefined {
  const match = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(text);
  if (match === null) return undefined;
  const [, year, month, day, hour, minute, second] = match.map(Number);
  return Date.UTC(year ?? 0, (month ?? 1) - 1, day ?? 1, hour ?? 0, minute ?? 0, second ?? 0);
}

/** AWS accepts a signature for five minutes either side of its `x-amz-date`. */
const MAX_SKEW_MS = 5 * 60 * 1000;

const SIGNATURE_MISMATCH =
  'The request signature we calculated does not match the signature you provided. Check your AWS Secret Access Key and signing method. Consult the service documentation for details.';

function forbidden(type: string, message: string): JsonRender {
  return bedrockErrorRender(403, { type, message });
}

/** Recomputes the request's SigV4 signature and compares it with the one sent. */
async function checkSigV4(authorization: string, request: AuthRequest, aws: MockAwsCredentials, nowMs: number): Promise<AuthVerdict> {
  const match = /^AWS4-HMAC-SHA256\s+Credential=([^,\s]+),\s*SignedHeaders=([^,\s]+),\s*Signature=([0-9a-f]+)\s*$/.exec(authorization);
  if (match === null) {
    return forbidden('IncompleteSignatureException', "Authorization header requires 'Credential', 'SignedHeaders' and 'Signature' parameters.");
  }
  const [, credential = '', signedHeaders = '', signature = ''] = match;
  const [accessKeyId, dateStamp = '', region = '', service = '', terminator] = credential.split('/');
  if (accessKeyId !== aws.accessKeyId) return forbidden('UnrecognizedClientException', 'The security token included in the request is invalid.');
  if (aws.sessionToken !== undefined && request.headers['x-amz-security-token'] !== aws.sessionToken) {
    return forbidden('UnrecognizedClientException', 'The security token included in the request is invalid.');
  }
  const amzDate = request.headers['x-amz-date'];
  const signedAtMs = amzDate === undefined ? undefined : parseAmzDate(amzDate);
  if (amzDate === undefined || signedAtMs === undefined) {
    return forbidden('IncompleteSignatureException', "Authorization header requires existence of either a 'X-Amz-Date' or a 'Date' header.");
  }
  if (terminator !== 'aws4_request' || dateStamp !== amzDate.slice(0, 8)) {
    return forbidden('InvalidSignatureException', `Date in Credential scope does not match YYYYMMDD from ISO-8601 version of date from HTTP: '${dateStamp}' != '${amzDate.slice(0, 8)}'.`);
  }
  if (region !== aws.region) return forbidden('InvalidSignatureException', `Credential should be scoped to a valid region, not '${region}'. `);
  if (service !== 'bedrock') return forbidden('InvalidSignatureException', "Credential should be scoped to correct service: 'bedrock'. ");
  if (signedAtMs < nowMs - MAX_SKEW_MS) {
    return forbidden('InvalidSignatureException', `Signature expired: ${amzDate} is now earlier than ${awsDate(nowMs - MAX_SKEW_MS)} (${awsDate(nowMs)} - 5 min.)`);
  }
  if (signedAtMs > nowMs + MAX_SKEW_MS) {
    return forbidden('InvalidSignatureException', `Signature not yet current: ${amzDate} is still later than ${awsDate(nowMs + MAX_SKEW_MS)} (${awsDate(nowMs)} + 5 min.)`);
  }

  const headers = new Headers();
  for (const name of signedHeaders.split(';')) {
    const value = request.headers[name];
    if (name === 'host') continue;
    if (value === undefined) return forbidden('InvalidSignatureException', SIGNATURE_MISMATCH);
    headers.set(name, value);
  }
  const host = request.headers['host'] ?? 'localhost';
  const url = `http://${host}${request.path}${request.query.length > 0 ? `?${request.query}` : ''}`;
  // The body actually received is hashed, so a body changed after signing fails.
  const payloadHash = createHash('sha256').update(request.bodyBytes).digest('hex');
  const canonical = canonicalRequest({ method: request.method, url, headers, payloadHash });
  if (canonical.signedHeaders !== signedHeaders) return forbidden('InvalidSignatureException', SIGNATURE_MISMATCH);
  const toSign = await stringToSign(canonical.text, amzDate, `${dateStamp}/${region}/${service}/aws4_request`);
  const expected = await signatureOf(toSign, aws.secretAccessKey, dateStamp, region, service);
  return isSame(expected, signature) ? undefined : forbidden('InvalidSignatureException', SIGNATURE_MISMATCH);
}

function checkBedrock(request: AuthRequest, config: AuthConfig): AuthVerdict | Promise<AuthVerdict> {
  if (config.aws === undefined && config.bedrockApiKey === undefined) return undefined;
  const authorization = request.headers['authorization'];
  if (authorization === undefined) return forbidden('MissingAuthenticationTokenException', 'Missing Authentication Token');
  const token = bearer(request.headers);
  if (token !== undefined) {
    if (config.bedrockApiKey !== undefined && isSame(token, config.bedrockApiKey)) return undefined;
    return forbidden('UnrecognizedClientException', 'Authentication failed: Please make sure your API Key is valid.');
  }
  if (config.aws === undefined) return forbidden('UnrecognizedClientException', 'The security token included in the request is invalid.');
  return checkSigV4(authorization, request, config.aws, config.nowMs());
}

/**
 * Checks a request's credentials in its dialect's way; asynchronous only for a Bedrock SigV4 signature.
 * @param route - the route the path names
 * @param request - method, path, query, headers and body bytes
 * @param config - the expected credentials
 * @returns the dialect's refusal, or undefined when the request may go on
 */
export function authenticate(route: Route, request: AuthRequest, config: AuthConfig): AuthVerdict | Promise<AuthVerdict> {
  const { apiKey } = config;
  switch (route.dialect) {
    case 'bedrock':
      return checkBedrock(request, config);
    case 'vertex':
      return route.operation === 'token' ? undefined : checkVertex(request, config);
    case 'openai': {
      if (apiKey === undefined) return undefined;
      const authorization = request.headers['authorization'];
      return authorization === `Bearer ${apiKey}` ? undefined : invalidKeyRender(authorization?.replace(/^Bearer\s+/i, ''));
    }
    case 'azure': {
      if (apiKey === undefined) return undefined;
      const presented = request.headers['api-key'] ?? bearer(request.headers);
      return presented !== undefined && isSame(presented, apiKey) ? undefined : azureInvalidKeyRender();
    }
    case 'anthropic': {
      if (apiKey === undefined) return undefined;
      const presented = request.headers['x-api-key'] ?? bearer(request.headers);
      if (presented !== undefined && isSame(presented, apiKey)) return undefined;
      return anthropicInvalidKeyRender(presented === undefined, request.requestId);
    }
    case 'gemini':
      return apiKey === undefined ? undefined : checkGemini(request, apiKey);
    case 'ollama': {
      if (apiKey === undefined) return undefined;
      const token = bearer(request.headers);
      return token !== undefined && isSame(token, apiKey) ? undefined : ollamaErrorRender(401, 'unauthorized');
    }
  }
}
