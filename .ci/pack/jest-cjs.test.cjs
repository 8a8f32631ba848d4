// Jest loads Sluice through require (its CommonJS runtime, which has no dynamic import()).
const { default: OpenAI } = require('openai');
const { createSluice } = require('sluice');
const { runCalls } = require('./jest-calls.cjs');
const { test, expect } = require('@jest/globals');

test('Sluice from require: zero config, an alias, a router, translation', async () => {
  const { routed } = await runCalls({ OpenAI, createSluice });
  expect(routed).toHaveLength(3);
});
