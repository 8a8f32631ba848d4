/**
 * The mock's Google OAuth token endpoint for Vertex AI: `POST /token` takes a service account's RS256
 * JWT assertion (`grant_type=urn:ietf:params:oauth:grant-type:jwt-bearer`), checks its signature with
 * the configured public key and its `aud`, `iss`, `iat`, `exp` and `scope` claims, and issues access
 * tokens that the Vertex routes then accept (and only those, until they expire).
 *
 * @module
 */

import { createPublicKey, randomBytes, verify, type KeyObject } from 'node:crypto';
import { isRecord, json, type JsonRender } from './render.js';

/** Options of the Vertex AI token endpoint. */
export interface MockVertexOptions {
  /** The PEM public key (SPKI or PKCS#1) of the service account whose JWTs the endpoint accepts. */
  publicKeyPem: string;
  /**
   * Lifetime of an issued access token, in seconds.
   * @default 3599
   */
  expiresInS?: number;
  /**
   * The service account email the JWT's `iss` must equal.
   * @default any non-empty `iss`
   */
  clientEmail?: string;
}

/** The grant type of a service-account JWT exchange (RFC 7523). */
export const JWT_BEARER_GRANT = 'urn:ietf:params:oauth:grant-type:jwt-bearer';

/** Google's own token endpoint, accepted as an audience besides the mock's. */
const GOOGLE_TOKEN_URL = 'https://oauth2.googleapis.com/token';
/** Google refuses assertions living longer than an hour. */
const MAX_ASSERTION_LIFETIME_S = 3600;
/** Clock skew tolerated on `iat`. */
const SKEW_S = 300;
/** Issued tokens kept; the oldest is forgotten first (and is then refused like an unknown token). */
const MAX_TOKENS = 1024;

/** Issues and checks the mock's access tokens. */
export interface VertexTokenIssuer {
  /**
   * Answers a `POST /token` body.
   * @param bodyText - the form-encoded body
   * @param tokenUrl - the mock's own token URL, accepted as `aud`
   */
  exchange(bodyText: string, tokenUrl: string): JsonRender;
  /**
   * Whether a bearer token was issued here and has not expired.
   * @param token - the token from `authorization: Bearer <token>`
   */
  accepts(token: string): boolean;
}

function oauthError(status: number, error: string, description: string): JsonRender {
  return json(status, { error, error_description: description });
}

const INVALID_TIMES =
  'Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim.';

function decodeSegment(segment: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(Buffer.from(segment, 'base64url').toString('utf8'));
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Starts a token issuer for the given service account key.
 * @param options - the public key and token lifetime
 * @param nowMs - the clock
 * @throws TypeError when the key cannot be read or the lifetime is not a positive integer
 */
export function createVertexTokenIssuer(options: MockVertexOptions, nowMs: () => number): VertexTokenIssuer {
  let publicKey: KeyObject;
  try {
    publicKey = createPublicKey(options.publicKeyPem);
  } catch (error) {
    throw new TypeError(`vertex.publicKeyPem is not a PEM public key: ${(error as Error).message}`);
  }
  const expiresInS = options.expiresInS ?? 3599;
  if (!Number.isInteger(expiresInS) || expiresInS < 1) throw new TypeError(`vertex.expiresInS must be an integer >= 1, got ${expiresInS}`);
  const tokens = new Map<string, number>();

  const check = (assertion: string, tokenUrl: string): JsonRender | undefined => {
    const parts = assertion.split('.');
    const [headerSegment, payloadSegment, signatureSegment] = parts;
    if (parts.length !== 3 || headerSegment === undefined || payloadSegment === undefined || signatureSegment === undefined) {
      return oauthError(400, 'invalid_grant', 'Invalid JWT: the assertion is not a JWS compact serialization.');
    }
    const header = decodeSegment(headerSegment);
    const claims = decodeSegment(payloadSegment);
    if (header === undefined || claims === undefined) return oauthError(400, 'invalid_grant', 'Invalid JWT: cannot decode the header or claims.');
    if (header['alg'] !== 'RS256') return oauthError(400, 'invalid_grant', 'Invalid JWT: the algorithm must be RS256.');
    const isSigned = verify(
      'sha256',
      Buffer.from(`${headerSegment}.${payloadSegment}`),
      publicKey,
      Buffer.from(signatureSegment, 'base64url'),
    );
    if (!isSigned) return oauthError(400, 'invalid_grant', 'Invalid JWT Signature.');
    const issuer = claims['iss'];
    if (typeof issuer !== 'string' || issuer.length === 0 || (options.clientEmail !== undefined && issuer !== options.clientEmail)) {
      return oauthError(400, 'invalid_grant', 'Invalid grant: account not found');
    }
    if (claims['aud'] !== tokenUrl && claims['aud'] !== GOOGLE_TOKEN_URL) {
      return oauthError(400, 'invalid_grant', 'Invalid JWT: Failed audience check.');
    }
    const issuedAt = claims['iat'];
    const expiresAt = claims['exp'];
    const nowS = nowMs() / 1000;
    if (
      typeof issuedAt !== 'number' ||
      typeof expiresAt !== 'number' ||
      expiresAt <= nowS ||
      issuedAt > nowS + SKEW_S ||
      expiresAt - issuedAt > MAX_ASSERTION_LIFETIME_S
    ) {
      return oauthError(400, 'invalid_grant', INVALID_TIMES);
    }
    if (typeof claims['scope'] !== 'string' || claims['scope'].length === 0) {
      return oauthError(400, 'invalid_scope', 'Invalid OAuth scope or ID token audience provided.');
    }
    return undefined;
  };

  return {
    exchange(bodyText: string, tokenUrl: string): JsonRender {
      const form = new URLSearchParams(bodyText);
      const grantType = form.get('grant_type');
      if (grantType !== JWT_BEARER_GRANT) {
        return oauthError(400, 'unsupported_grant_type', `Invalid grant_type: ${grantType ?? ''}`);
      }
      const assertion = form.get('assertion');
      if (assertion === null || assertion.length === 0) return oauthError(400, 'invalid_request', 'Missing required parameter: assertion');
      const refusal = check(assertion, tokenUrl);
      if (refusal !== undefined) return refusal;
      const token = `ya29.mock-${randomBytes(24).toString('base64url')}`;
      if (tokens.size >= MAX_TOKENS) {
        const oldest = tokens.keys().next();
        if (oldest.done !== true) tokens.delete(oldest.value);
      }
      tokens.set(token, nowMs() + expiresInS * 1000);
      return json(200, { access_token: token, expires_in: expiresInS, token_type: 'Bearer' });
    },
    accepts(token: string): boolean {
      const expiresAtMs = tokens.get(token);
      return expiresAtMs !== undefined && nowMs() < expiresAtMs;
    },
  };
}
