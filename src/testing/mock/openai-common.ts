/**
 * Pieces shared by the mock's OpenAI routes: request checks with OpenAI's error bodies, default error
 * fields per status and rate-limit headers.
 *
 * @module
 */

import type { MockMidStreamErrorStep } from './script.js';
import { errorBody, json, type ErrorFields, type JsonRender } from './render.js';

const DEFAULT_ERRORS: Readonly<Record<number, Omit<ErrorFields, 'param'>>> = {
  400: { type: 'invalid_request_error', code: null, message: 'Invalid request.' },
  401: {
    type: 'invalid_request_error',
    code: 'invalid_api_key',
    message: 'Incorrect API key provided. You can find your API key at https://platform.openai.com/account/api-keys.',
  },
  403: {
    type: 'invalid_request_error',
    code: 'unsupported_country_region_territory',
    message: 'Country, region, or territory not supported',
  },
  404: { type: 'invalid_request_error', code: 'model_not_found', message: 'The model does not exist or you do not have access to it.' },
  409: { type: 'invalid_request_error', code: null, message: 'The request conflicts with the current state of the resource.' },
  422: { type: 'invalid_request_error', code: null, message: 'The request could not be processed.' },
  429: {
    type: 'requests',
    code: 'rate_limit_exceeded',
    message: 'Rate limit reached for requests. Please try again in 1s.',
  },
  500: { type: 'server_error', code: null, message: 'The server had an error while processing your request. Sorry about that!' },
  502: { type: 'server_error', code: null, message: 'Bad gateway.' },
  503: { type: 'server_error', code: null, message: 'The engine is currently overloaded, please try again later.' },
};

/**
 * The provider's default error fields for a status, overridable field by field.
 * @param status - the HTTP status
 * @param overrides - fields the script set
 */
export function errorFields(
  status: number,
  overrides: {
    type?: string | undefined;
    code?: string | null | undefined;
    param?: string | null | undefined;
    message?: string | undefined;
  } = {},
): ErrorFields {
  const base = DEFAULT_ERRORS[status] ?? {
    type: status >= 500 ? 'server_error' : 'invalid_request_error',
    code: null,
    message: `Mock error with status ${status}.`,
  };
  return {
    message: overrides.message ?? base.message,
    type: overrides.type ?? base.type,
    param: overrides.param ?? null,
    code: overrides.code === undefined ? base.code : overrides.code,
  };
}

/**
 * The error fields of a `mid-stream-error` step in OpenAI's terms.
 * @param step - the step
 */
export function midStreamErrorFields(step: MockMidStreamErrorStep): ErrorFields {
  return errorFields(step.status ?? 500, step);
}

/**
 * A JSON error answer in OpenAI's exact body.
 * @param status - the HTTP status
 * @param fields - the error fields
 */
export function errorRender(status: number, fields: ErrorFields): JsonRender {
  return json(status, errorBody(fields));
}

/** The 400 OpenAI sends for a body that is not JSON. */
export function invalidJsonRender(): JsonRender {
  return errorRender(
    400,
    errorFields(400, {
      message:
        "We could not parse the JSON body of your request. (HINT: This likely means you aren't using your HTTP library correctly. The OpenAI API expects a JSON payload, but what was sent was not valid JSON.)",
    }),
  );
}

/** The 400 OpenAI sends when `model` is missing. */
export function missingModelRender(): JsonRender {
  return errorRender(400, errorFields(400, { message: 'you must provide a model parameter' }));
}

/**
 * The 400 OpenAI sends when a required parameter is missing.
 * @param name - the parameter
 */
export function missingParameterRender(name: string): JsonRender {
  return errorRender(
    400,
    errorFields(400, { message: `Missing required parameter: '${name}'.`, param: name, code: 'missing_required_parameter' }),
  );
}

/**
 * The 401 OpenAI sends for a missing or wrong key.
 * @param presented - the bearer token received, if any
 */
export function invalidKeyRender(presented: string | undefined): JsonRender {
  const message =
    presented === undefined
      ? "You didn't provide an API key. You need to provide your API key in an Authorization header using Bearer auth (i.e. Authorization: Bearer YOUR_KEY)."
      : `Incorrect API key provided: ${redactKey(presented)}. You can find your API key at https://platform.openai.com/account/api-keys.`;
  return errorRender(401, errorFields(401, { message }));
}

function redactKey(key: string): string {
  return key.length <= 8 ? '*'.repeat(key.length) : `${key.slice(0, 3)}${'*'.repeat(key.length - 7)}${key.slice(-4)}`;
}

/**
 * A Go-style duration like OpenAI's `x-ratelimit-reset-*` headers (`120ms`, `1s`, `6m0s`).
 * @param milliseconds - the duration
 */
export function goDuration(milliseconds: number): string {
  const rounded = Math.ceil(milliseconds);
  if (rounded < 1000) return `${rounded}ms`;
  const totalSeconds = rounded / 1000;
  if (totalSeconds < 60) return `${Number(totalSeconds.toFixed(3))}s`;
  const minutes = Math.floor(totalSeconds / 60);
  return `${minutes}m${Number((totalSeconds - minutes * 60).toFixed(3))}s`;
}

/** Limits reported in `x-ratelimit-*` headers. */
const REQUEST_LIMIT = 500;
const TOKEN_LIMIT = 200_000;

/** The `x-ratelimit-*` headers of a healthy model call: plenty left. */
export const HEALTHY_RATE_LIMIT_HEADERS: Readonly<Record<string, string>> = {
  'x-ratelimit-limit-requests': String(REQUEST_LIMIT),
  'x-ratelimit-limit-tokens': String(TOKEN_LIMIT),
  'x-ratelimit-remaining-requests': String(REQUEST_LIMIT - 1),
  'x-ratelimit-remaining-tokens': String(TOKEN_LIMIT - 100),
  'x-ratelimit-reset-requests': '120ms',
  'x-ratelimit-reset-tokens': '30ms',
};

/**
 * The headers of a 429: `retry-after` / `retry-after-ms` as asked, and exhausted `x-ratelimit-*`.
 * @param retryAfterS - seconds for `retry-after`
 * @param retryAfterMs - milliseconds for `retry-after-ms`
 */
export function rateLimitHeaders(retryAfterS: number | undefined, retryAfterMs: number | undefined): Record<string, string> {
  const seconds = retryAfterS ?? (retryAfterMs === undefined ? 1 : undefined);
  const resetMs = retryAfterMs ?? (seconds ?? 0) * 1000;
  const headers: Record<string, string> = {
    'x-ratelimit-limit-requests': String(REQUEST_LIMIT),
    'x-ratelimit-limit-tokens': String(TOKEN_LIMIT),
    'x-ratelimit-remaining-requests': '0',
    'x-ratelimit-remaining-tokens': String(TOKEN_LIMIT),
    'x-ratelimit-reset-requests': goDuration(resetMs),
    'x-ratelimit-reset-tokens': '0s',
  };
  if (seconds !== undefined) headers['retry-after'] = String(seconds);
  if (retryAfterMs !== undefined) headers['retry-after-ms'] = String(retryAfterMs);
  return headers;
}

/**
 * The 429 answer of a `rate-limit` step.
 * @param retryAfterS - seconds for `retry-after`
 * @param retryAfterMs - milliseconds for `retry-after-ms`
 * @param model - the requested model, named in the message
 */
export function rateLimitRender(retryAfterS: number | undefined, retryAfterMs: number | undefined, model: string): JsonRender {
  const waitMs = retryAfterMs ?? (retryAfterS ?? 1) * 1000;
  const render = errorRender(
    429,
    errorFields(429, {
      message: `Rate limit reached for ${model} in organization org-mock on requests per min (RPM): Limit ${REQUEST_LIMIT}, Used ${REQUEST_LIMIT}, Requested 1. Please try again in ${goDuration(waitMs)}.`,
    }),
  );
  return { ...render, headers: { ...render.headers, ...rateLimitHeaders(retryAfterS, retryAfterMs) } };
}
