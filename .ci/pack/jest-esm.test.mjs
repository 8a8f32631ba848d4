// Jest loads Sluice through import (run with node --experimental-vm-modules).
import OpenAI from 'openai';
import { createSluice } from 'sluice';
import calls from './jest-calls.cjs';
import { test, expect } from '@jest/globals';

test('Sluice from import: zero config, an alias, a router, translation', async () => {
  const { routed } = await calls.runCalls({ OpenAI, createSluice });
  expect(routed).toHaveLength(3);
});
