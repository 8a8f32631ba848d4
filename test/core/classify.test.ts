import { describe, expect, it } from 'vitest';
import { classify, pathOf } from '../../src/core/classify.js';

const BASE = 'https://api.openai.com/v1';

describe('classify', () => {
  it('recognises the modelled OpenAI operations by method and path', () => {
    expect(classify('POST', `${BASE}/chat/completions`)).toEqual({ dialect: 'openai', operation: 'chat', modelId: null, isUrlStream: false });
    expect(classify('POST', `${BASE}/responses`)).toEqual({ dialect: 'openai', operation: 'responses', modelId: null, isUrlStream: false });
    expect(classify('POST', `${BASE}/embeddings`)).toEqual({ dialect: 'openai', operation: 'embeddings', modelId: null, isUrlStream: false });
    expect(classify('GET', `${BASE}/models`)).toEqual({ dialect: 'openai', operation: 'models', modelId: null, isUrlStream: false });
  });

  it('reads and decodes the model id of GET /models/{id}', () => {
    expect(classify('GET', `${BASE}/models/gpt-4o-mini`)?.modelId).toBe('gpt-4o-mini');
    expect(classify('GET', `${BASE}/models/ft%3Agpt-4o%3Aacme`)?.modelId).toBe('ft:gpt-4o:acme');
    expect(classify('GET', `${BASE}/models/local%2Fgpt-4o-mini`)?.modelId).toBe('local/gpt-4o-mini');
  });

  it('ignores the query string and fragment, and works under any base path or port', () => {
    expect(classify('POST', `${BASE}/chat/completions?api-version=2024-10-21`)?.operation).toBe('chat');
    expect(classify('POST', 'http://127.0.0.1:11434/v1/embeddings#x')?.operation).toBe('embeddings');
    expect(classify('POST', 'https://api.groq.com/openai/v1/chat/completions')?.operation).toBe('chat');
  });

  it('passes through what it does not model', () => {
    expect(classify('POST', `${BASE}/files`)).toBeNull();
    expect(classify('GET', `${BASE}/files/file-1/content`)).toBeNull();
    expect(classify('GET', `${BASE}/chat/completions`)).toBeNull();
    expect(classify('GET', `${BASE}/responses/resp_1`)).toBeNull();
    expect(classify('POST', `${BASE}/responses/resp_1/cancel`)).toBeNull();
    expect(classify('DELETE', `${BASE}/models/ft:gpt-4o:acme`)).toBeNull();
    expect(classify('GET', `${BASE}/models/gpt-4o/extra`)).toBeNull();
    expect(classify('POST', `${BASE}/audio/transcriptions`)).toBeNull();
  });

  it('recognises Anthropic Messages and count_tokens, but not OpenAI thread messages', () => {
    expect(classify('POST', 'https://api.anthropic.com/v1/messages')).toEqual({ dialect: 'anthropic', operation: 'chat', modelId: null, isUrlStream: false });
    expect(classify('POST', 'https://api.anthropic.com/v1/messages/count_tokens')?.operation).toBe('count_tokens');
    expect(classify('POST', `${BASE}/threads/thread_1/messages`)).toBeNull();
  });

  it('recognises Gemini generateContent from the URL, model and streaming included', () => {
    const host = 'https://generativelanguage.googleapis.com';
    expect(classify('POST', `${host}/v1beta/models/gemini-2.5-flash:generateContent`)).toEqual({
      dialect: 'gemini',
      operation: 'chat',
      modelId: 'gemini-2.5-flash',
      isUrlStream: false,
    });
    expect(classify('POST', `${host}/v1beta/models/gemini-2.5-flash:streamGenerateContent?alt=sse`)).toMatchObject({ isUrlStream: true });
    expect(classify('POST', `${host}/v1beta/models/anthropic/claude-sonnet-4-5:generateContent`)?.modelId).toBe('anthropic/claude-sonnet-4-5');
    expect(classify('POST', `${host}/v1beta/models/gemini-2.5-flash:countTokens`)?.operation).toBe('count_tokens');
    const vertex = 'https://us-central1-aiplatform.googleapis.com/v1/projects/p/locations/us-central1/publishers/google/models/gemini-2.5-pro:generateContent';
    expect(classify('POST', vertex)?.modelId).toBe('gemini-2.5-pro');
    expect(classify('POST', `${host}/v1beta/models/gemini-2.5-flash:embedContent`)).toBeNull();
  });

  it('never classifies non-http URLs, such as the SDK data: probe', () => {
    expect(classify('GET', 'data:,')).toBeNull();
    expect(classify('POST', 'file:///v1/chat/completions')).toBeNull();
  });
});

describe('pathOf', () => {
  it('returns the path without query or fragment', () => {
    expect(pathOf('https://h/v1/a?b=1#c')).toBe('/v1/a');
    expect(pathOf('http://h:8080')).toBe('/');
    expect(pathOf('http://h/x#frag?not-query')).toBe('/x');
    expect(pathOf('data:,')).toBeNull();
  });
});
