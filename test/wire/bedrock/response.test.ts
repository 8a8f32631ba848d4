import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { bedrockProvider } from '../../../src/wire/bedrock/codec.js';
import { mapStopReason, readBedrockError, toChatUsage } from '../../../src/wire/bedrock/response.js';

function fixture(name: string): { body: unknown; expected: unknown } {
  return JSON.parse(readFileSync(new URL(`../../fixtures/bedrock/${name}`, import.meta.url), 'utf8')) as { body: unknown; expected: unknown };
}

describe('bedrockProvider.readResponse', () => {
  it.each(['converse-response.json', 'converse-response-tool.json'])('reads %s', (name) => {
    const { body, expected } = fixture(name);
    expect(bedrockProvider.readResponse(body)).toEqual({ ok: true, value: expected });
  });

  it('gives null content when the answer has no text', () => {
    const read = bedrockProvider.readResponse({ output: { message: { role: 'assistant', content: [] } }, stopReason: 'max_tokens' });
    expect(read.ok && read.value.choices[0]).toMatchObject({ message: { role: 'assistant', content: null }, finish_reason: 'length' });
  });

  it.each([
    [null, 'the body is not a JSON object'],
    [{}, 'output.message is missing'],
    [{ output: { message: { content: 'x' } }, stopReason: 'end_turn' }, 'output.message.content is not an array'],
    [{ output: { message: { content: [] } } }, 'stopReason is missing'],
    [{ output: { message: { content: [1] } }, stopReason: 'end_turn' }, 'output.message.content[0] is not an object'],
    [{ output: { message: { content: [{ toolUse: { name: 'f' } }] } }, stopReason: 'tool_use' }, 'output.message.content[0].toolUse needs toolUseId and name'],
    [{ output: { message: { content: [] } }, stopReason: 'end_turn', usage: { inputTokens: 'x' } }, 'usage needs inputTokens and outputTokens'],
    [{ output: { message: { content: [] } }, stopReason: 'malformed_tool_use' }, "the model stopped with 'malformed_tool_use'"],
  ])('answers 502 for %j', (body, message) => {
    expect(bedrockProvider.readResponse(body)).toEqual({ ok: false, error: { status: 502, message: `Bedrock Converse answer: ${message}` } });
  });
});

describe('stop reasons and usage', () => {
  it('maps every stopReason per providers.md §7.2', () => {
    expect(
      ['end_turn', 'stop_sequence', 'tool_use', 'max_tokens', 'model_context_window_exceeded', 'guardrail_intervened', 'content_filtered', 'malformed_model_output', 'malformed_tool_use', 'new_reason'].map(
        mapStopReason,
      ),
    ).toEqual(['stop', 'stop', 'tool_calls', 'length', 'length', 'content_filter', 'content_filter', null, null, 'stop']);
  });

  it('adds cache reads and writes back into prompt tokens (§7.3)', () => {
    expect(toChatUsage({ inputTokens: 10, outputTokens: 5, totalTokens: 15, cacheReadInputTokens: 90, cacheWriteInputTokens: 20 })).toEqual({
      prompt_tokens: 120,
      completion_tokens: 5,
      total_tokens: 125,
      prompt_tokens_details: { cached_tokens: 90, cache_write_tokens: 20 },
    });
    expect(toChatUsage({ inputTokens: 10, outputTokens: 5 })).toEqual({ prompt_tokens: 10, completion_tokens: 5, total_tokens: 15 });
    expect(toChatUsage({ outputTokens: 5 })).toBeNull();
  });
});

describe('bedrockProvider.readError', () => {
  it.each([
    [400, { message: 'Malformed input request: extraneous key [foo] is not permitted' }, 'invalid_request', null],
    [400, { __type: 'com.amazon.coral.validate#ValidationException', message: 'Input is too long for requested model.' }, 'context_length', 'ValidationException'],
    [400, { message: 'The model returned the following errors: prompt is too long: 250000 tokens > 200000 maximum' }, 'context_length', null],
    [400, { message: 'A conversation must alternate between user and assistant roles.' }, 'invalid_request', null],
    [400, { __type: 'ServiceQuotaExceededException', message: 'Too many tokens per day' }, 'rate_limit', 'ServiceQuotaExceededException'],
    [403, { message: "You don't have access to the model with the specified model ID." }, 'permission', null],
    [403, { __type: 'UnrecognizedClientException', message: 'The security token included in the request is invalid.' }, 'authentication', 'UnrecognizedClientException'],
    [403, { __type: 'InvalidSignatureException', Message: 'The request signature we calculated does not match' }, 'authentication', 'InvalidSignatureException'],
    [401, { message: 'Bearer token invalid' }, 'authentication', null],
    [404, { message: 'The provided model identifier is invalid.' }, 'not_found', null],
    [408, { __type: 'ModelTimeoutException', message: 'Model has timed out' }, 'timeout', 'ModelTimeoutException'],
    [424, { message: 'Received error from model', originalStatusCode: 500, originalMessage: 'upstream' }, 'server', null],
    [429, { message: 'Too many requests, please wait before trying again.' }, 'rate_limit', null],
    [429, { __type: 'ModelNotReadyException', message: 'Model is not ready' }, 'overloaded', 'ModelNotReadyException'],
    [500, { message: 'Internal server error' }, 'server', null],
    [503, { message: 'Service unavailable' }, 'overloaded', null],
    [413, 'Request Entity Too Large', 'request_too_large', null],
  ] as const)('%i %j → %s', (status, body, kind, code) => {
    const error = bedrockProvider.readError(status, body);
    expect(error).toMatchObject({ kind, status, code });
  });

  it('reads the exception name in x-amzn-ErrorType form, from the body or given separately', () => {
    const type = 'ThrottlingException:http://internal.amazon.com/coral/com.amazon.bedrock/';
    expect(bedrockProvider.readError(400, { message: 'Too many tokens', __type: type })).toMatchObject({ kind: 'rate_limit', code: 'ThrottlingException' });
    expect(readBedrockError(400, { message: 'Input length exceeds' }, 'ValidationException:http://internal.amazon.com/coral/com.amazon.bedrock/')).toMatchObject({
      kind: 'context_length',
      code: 'ValidationException',
    });
  });

  it('keeps the message (either spelling) and the model’s own message', () => {
    expect(bedrockProvider.readError(400, { Message: 'Bad' }).message).toBe('Bad');
    expect(bedrockProvider.readError(424, { message: 'Received error from model', originalMessage: 'boom' }).message).toBe('Received error from model (model: boom)');
    expect(bedrockProvider.readError(502, '').message).toBe('Bedrock answered HTTP 502');
    expect(bedrockProvider.readError(502, `<html>${'x'.repeat(2000)}</html>`).message).toHaveLength(500);
  });
});
