/**
 * `sluice/testing`: the mock provider (an HTTP server speaking the providers' real wire formats, picked
 * by path: OpenAI, Azure OpenAI, Anthropic, Gemini, Vertex AI, Bedrock and Ollama, with scriptable
 * faults) and helpers to unit-test middleware without a network. Node-only.
 * @module
 */
export * from './mock-provider.js';
export { makeContext, fakeNext, type MakeContextOptions, type FakeAnswer, type FakeNext } from './harness.js';
