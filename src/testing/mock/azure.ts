/**
 * What the mock's Azure OpenAI routes add to OpenAI's: the `api-key` 401, the 404 for a dated route
 * without `api-version`, Azure's 429 body and headers, and the headers every answer carries. The bodies
 * themselves are OpenAI's (see `openai-chat.ts`).
 *
 * @module
 */

import type { MockRateLimitStep } from './script.js';
import { json, retryAfterSeconds, type JsonRender, type RouteInput } from './render.js';

/**
 * The 401 Azure sends for a missing or wrong `api-key`.
 * @returns `{"error":{"code":"401","message":...}}`
 */
export function azureInvalidKeyRender(): JsonRender {
  return json(401, {
    error: {
      code: '401',
      message:
        'Access denied due to invalid subscription key or wrong API endpoint. Make sure to provide a valid key for an active subscription and use a correct regional API endpoint for your resource.',
    },
  });
}

/**
 * The 404 Azure sends for a dated route (`/openai/deployments/...`) without `api-version`.
 * @returns `{"error":{"code":"404","message":"Resource not found"}}`
 */
export function azureMissingVersionRender(): JsonRender {
  return json(404, { error: { code: '404', message: 'Resource not found' } });
}

/**
 * Whether a dated Azure route lacks its `api-version` query parameter (the v1 routes need none).
 * @param input - the request
 */
export function lacksApiVersion(input: RouteInput): boolean {
  if (input.path.startsWith('/openai/v1/')) return false;
  const version = new URLSearchParams(input.query).get('api-version');
  return version === null || version.length === 0;
}

function operationName(input: RouteInput): string {
  switch (input.route.operation) {
    case 'embeddings':
      return 'Embeddings_Create';
    case 'responses':
      return 'Responses_Create';
    default:
      return 'ChatCompletions_Create';
  }
}

/**
 * The 429 of a `rate-limit` step in Azure's shape, with `retry-after`, `retry-after-ms` and Azure's
 * `x-ratelimit-remaining-*` headers.
 * @param step - the rate-limit step
 * @param input - the request, for the operation and API version named in the message
 */
export function azureRateLimitRender(step: MockRateLimitStep, input: RouteInput): JsonRender {
  const seconds = retryAfterSeconds(step.retryAfterS, step.retryAfterMs);
  const version = new URLSearchParams(input.query).get('api-version') ?? 'v1';
  const render = json(429, {
    error: {
      code: '429',
      message: `Requests to the ${operationName(input)} Operation under Azure OpenAI API version ${version} have exceeded token rate limit of your current OpenAI S0 pricing tier. Please retry after ${seconds} second${seconds === 1 ? '' : 's'}. Please go here: https://aka.ms/oai/quotaincrease if you would like to further increase the default rate limit.`,
    },
  });
  return {
    ...render,
    headers: {
      ...render.headers,
      'retry-after': String(seconds),
      'retry-after-ms': String(step.retryAfterMs ?? seconds * 1000),
      'x-ratelimit-remaining-requests': '0',
      'x-ratelimit-remaining-tokens': '0',
    },
  };
}

/**
 * The headers of every Azure answer: request ids and region, and healthy limits on model calls.
 * @param requestId - the mock's request id
 * @param isHealthyModelCall - whether the answer is a successful model call
 */
export function azureHeaders(requestId: string, isHealthyModelCall: boolean): Record<string, string> {
  const headers: Record<string, string> = { 'x-request-id': requestId, 'apim-request-id': requestId, 'x-ms-region': 'East US' };
  if (isHealthyModelCall) {
    headers['x-ratelimit-remaining-requests'] = '99';
    headers['x-ratelimit-remaining-tokens'] = '99000';
  }
  return headers;
}
