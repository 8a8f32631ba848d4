/**
 * Which dialect a request path speaks, and each dialect's answers to the scripted steps: the healthy
 * or scripted reply, an error, a 429, the checks a gateway makes before the model sees the request, and
 * the headers every answer carries.
 *
 * @module
 */

import type { MockErrorStep, MockRateLimitStep, MockReplyStep } from './script.js';
import type { JsonErrorBody } from './plan.js';
import {
  anthropicErrorFields,
  anthropicErrorRender,
  anthropicJsonErrorBody,
  anthropicRateLimitHeaders,
  anthropicRateLimitRender,
  missingVersionRender,
  renderAnthropic,
  renderAnthropicCountTokens,
} from './anthropic.js';
import { azureHeaders, azureMissingVersionRender, azureRateLimitRender, lacksApiVersion } from './azure.js';
import { bedrockErrorFields, bedrockErrorRender, bedrockJsonErrorBody, bedrockRateLimitRender, renderBedrock, renderBedrockCountTokens } from './bedrock.js';
import { googleErrorFields, googleErrorRender, googleJsonErrorBody, googleRateLimitRender, renderGemini, renderGeminiCountTokens } from './gemini.js';
import { HEALTHY_RATE_LIMIT_HEADERS, errorFields, errorRender, midStreamErrorFields, rateLimitRender } from './openai-common.js';
import { renderOpenAiRoute } from './openai-routes.js';
import { ollamaErrorRender, ollamaJsonErrorBody, ollamaRateLimitRender, renderOllama } from './ollama.js';
import { errorBody, requestedModel, type BodyFormat, type JsonRender, type Operation, type Render, type Route, type RouteInput } from './render.js';
import type { MockDialect } from './script.js';

function route(
  dialect: MockDialect,
  format: BodyFormat,
  operation: Operation,
  pathModel?: string,
  isStreamPath?: boolean,
): Route {
  const isModelCall = operation !== 'count-tokens' && operation !== 'token' && operation !== 'other';
  return { dialect, format, operation, pathModel, isStreamPath, isModelCall };
}

function decodeSegment(segment: string): string {
  try {
    return decodeURIComponent(segment);
  } catch {
    // A malformed escape names the model as written.
    return segment;
  }
}

const OPENAI_OPERATIONS: Readonly<Record<string, Operation>> = {
  '/v1/chat/completions': 'chat',
  '/v1/responses': 'responses',
  '/v1/embeddings': 'embeddings',
};
const AZURE_V1_OPERATIONS: Readonly<Record<string, Operation>> = {
  '/openai/v1/chat/completions': 'chat',
  '/openai/v1/responses': 'responses',
  '/openai/v1/embeddings': 'embeddings',
  '/openai/responses': 'responses',
};
const AZURE_DEPLOYMENT = /^\/openai\/deployments\/([^/]+)\/(chat\/completions|embeddings)$/;
const GEMINI = /^\/(?:v1|v1beta|v1alpha)\/models\/([^/:]+):(generateContent|streamGenerateContent|countTokens)$/;
const VERTEX = /^\/(?:v1|v1beta1)\/projects\/[^/]+\/locations\/[^/]+\/publishers\/(google|anthropic)\/models\/([^/:]+):([A-Za-z]+)$/;
const BEDROCK = /^\/model\/([^/]+)\/(converse|converse-stream|count-tokens)$/;

const GEMINI_ACTIONS: Readonly<Record<string, [Operation, boolean]>> = {
  generateContent: ['generate', false],
  streamGenerateContent: ['generate', true],
  countTokens: ['count-tokens', false],
};
const VERTEX_ANTHROPIC_ACTIONS: Readonly<Record<string, boolean>> = { rawPredict: false, streamRawPredict: true };

const OTHER = route('openai', 'openai', 'other');

/**
 * Names the dialect, body format, operation and model of a request from its method and path; anything
 * unknown is OpenAI's `other` (models list, echo).
 * @param method - the HTTP method
 * @param path - the path without query, as sent
 * @param hasTokenEndpoint - whether `POST /token` is the Vertex token endpoint (else it is echoed)
 */
export function classifyRoute(method: string, path: string, hasTokenEndpoint = true): Route {
  if (method !== 'POST') return OTHER;
  const openai = OPENAI_OPERATIONS[path];
  if (openai !== undefined) return route('openai', 'openai', openai);
  if (path === '/v1/messages') return route('anthropic', 'anthropic', 'messages');
  if (path === '/v1/messages/count_tokens') return route('anthropic', 'anthropic', 'count-tokens');
  if (path === '/api/chat') return route('ollama', 'ollama', 'ollama-chat');
  if (path === '/token') return hasTokenEndpoint ? route('vertex', 'gemini', 'token') : OTHER;
  const azure = AZURE_V1_OPERATIONS[path];
  if (azure !== undefined) return route('azure', 'openai', azure);
  let match = AZURE_DEPLOYMENT.exec(path);
  if (match !== null) {
    return route('azure', 'openai', match[2] === 'embeddings' ? 'embeddings' : 'chat', decodeSegment(match[1] ?? ''));
  }
  match = GEMINI.exec(path);
  const geminiAction = match === null ? undefined : GEMINI_ACTIONS[match[2] ?? ''];
  if (match !== null && geminiAction !== undefined) {
    return route('gemini', 'gemini', geminiAction[0], decodeSegment(match[1] ?? ''), geminiAction[1]);
  }
  match = VERTEX.exec(path);
  if (match !== null) {
    const model = decodeSegment(match[2] ?? '');
    const action = match[3] ?? '';
    if (match[1] === 'google') {
      const google = GEMINI_ACTIONS[action];
      if (google !== undefined) return route('vertex', 'gemini', google[0], model, google[1]);
    } else {
      const isStream = VERTEX_ANTHROPIC_ACTIONS[action];
      if (isStream !== undefined) return route('vertex', 'anthropic', 'messages', model, isStream);
    }
  }
  match = BEDROCK.exec(path);
  if (match !== null) {
    const action = match[2];
    return route('bedrock', 'bedrock', action === 'count-tokens' ? 'count-tokens' : 'converse', decodeSegment(match[1] ?? ''), action === 'converse-stream');
  }
  return OTHER;
}

/**
 * The healthy or scripted answer of a request in its own dialect.
 * @param input - the request
 * @param reply - the scripted reply, if any
 * @param models - the model ids `GET /v1/models` lists
 */
export function renderFor(input: RouteInput, reply: MockReplyStep | undefined, models: readonly string[]): Render {
  const { format, operation } = input.route;
  switch (format) {
    case 'anthropic':
      return operation === 'count-tokens' ? renderAnthropicCountTokens(input, reply) : renderAnthropic(input, reply);
    case 'gemini':
      return operation === 'count-tokens' ? renderGeminiCountTokens(input, reply) : renderGemini(input, reply);
    case 'bedrock':
      return operation === 'count-tokens' ? renderBedrockCountTokens(input, reply) : renderBedrock(input, reply);
    case 'ollama':
      return renderOllama(input, reply);
    case 'openai':
      return renderOpenAiRoute(input, reply, models);
  }
}

/** The fields of an `error` step, or of an error the mock raises itself (413). */
export type ErrorSpec = Pick<MockErrorStep, 'status' | 'type' | 'code' | 'param' | 'message'>;

/**
 * An error answer in the route's body format.
 * @param currentRoute - the route
 * @param spec - status and overrides
 * @param requestId - the request id, for Anthropic's body
 */
export function errorFor(currentRoute: Route, spec: ErrorSpec, requestId: string): JsonRender {
  const { status } = spec;
  switch (currentRoute.format) {
    case 'anthropic':
      return anthropicErrorRender(status, anthropicErrorFields(status, spec), requestId);
    case 'gemini':
      return googleErrorRender(googleErrorFields(status, spec));
    case 'bedrock':
      return bedrockErrorRender(status, bedrockErrorFields(status, spec));
    case 'ollama':
      return ollamaErrorRender(status, spec.message);
    case 'openai':
      return errorRender(status, errorFields(status, spec));
  }
}

/**
 * The 429 of a `rate-limit` step in the route's dialect (Vertex answers quota errors in Google's shape
 * whatever the model's publisher).
 * @param input - the request
 * @param step - the rate-limit step
 * @param requestId - the request id
 * @param nowMs - the current time, for Anthropic's reset timestamps
 */
export function rateLimitFor(input: RouteInput, step: MockRateLimitStep, requestId: string, nowMs: number): JsonRender {
  switch (input.route.dialect) {
    case 'openai':
      return rateLimitRender(step.retryAfterS, step.retryAfterMs, requestedModel(input.body, 'gpt-4o-mini'));
    case 'azure':
      return azureRateLimitRender(step, input);
    case 'anthropic':
      return anthropicRateLimitRender(step, requestId, nowMs);
    case 'gemini':
      return googleRateLimitRender(step, 'generativelanguage.googleapis.com');
    case 'vertex':
      return googleRateLimitRender(step, 'aiplatform.googleapis.com');
    case 'bedrock':
      return bedrockRateLimitRender(step);
    case 'ollama':
      return ollamaRateLimitRender(step);
  }
}

/**
 * The route's error body for a mid-stream error on a non-streaming answer (sent with HTTP 200).
 * @param currentRoute - the route
 */
export function jsonErrorBodyFor(currentRoute: Route): JsonErrorBody {
  switch (currentRoute.format) {
    case 'anthropic':
      return anthropicJsonErrorBody;
    case 'gemini':
      return googleJsonErrorBody;
    case 'bedrock':
      return bedrockJsonErrorBody;
    case 'ollama':
      return ollamaJsonErrorBody;
    case 'openai':
      return (step) => JSON.stringify(errorBody(midStreamErrorFields(step)));
  }
}

/**
 * What a gateway refuses before any model sees the request (and before a step is consumed): an Azure
 * dated route without `api-version`, an Anthropic call without `anthropic-version`.
 * @param input - the request
 * @param headers - the request headers, lower-case
 * @param requestId - the request id
 */
export function precheck(input: RouteInput, headers: Readonly<Record<string, string>>, requestId: string): JsonRender | undefined {
  const { dialect } = input.route;
  if (dialect === 'azure' && lacksApiVersion(input)) return azureMissingVersionRender();
  if (dialect === 'anthropic' && headers['anthropic-version'] === undefined) return missingVersionRender(requestId);
  return undefined;
}

/** What the per-dialect headers depend on. */
export interface HeaderContext {
  readonly requestId: string;
  readonly latencyMs: number;
  readonly isHealthyModelCall: boolean;
  readonly nowMs: number;
}

/**
 * The headers every answer of a dialect carries: its request id header and, on healthy model calls,
 * its rate-limit headers (Gemini, Vertex and Ollama send neither).
 * @param currentRoute - the route
 * @param context - request id, latency, health and clock
 */
export function dialectHeaders(currentRoute: Route, context: HeaderContext): Record<string, string> {
  switch (currentRoute.dialect) {
    case 'openai':
      return {
        'x-request-id': context.requestId,
        'openai-processing-ms': String(context.latencyMs),
        'openai-version': '2020-10-01',
        ...(context.isHealthyModelCall ? HEALTHY_RATE_LIMIT_HEADERS : {}),
      };
    case 'azure':
      return azureHeaders(context.requestId, context.isHealthyModelCall);
    case 'anthropic':
      return {
        'request-id': context.requestId,
        ...(context.isHealthyModelCall ? anthropicRateLimitHeaders(context.nowMs, 60_000, false) : {}),
      };
    case 'bedrock':
      return { 'x-amzn-requestid': context.requestId };
    case 'gemini':
    case 'vertex':
    case 'ollama':
      return {};
  }
}
