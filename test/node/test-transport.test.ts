/**
 * The switch CI uses to run the SDK suites through sluice/node: with `SLUICE_TEST_TRANSPORT=node`, an
 * instance made without its own `fetch` reaches providers through the Node transport (which, unlike
 * Node's fetch, sends no `sec-fetch-mode` header).
 */
import { afterAll, beforeAll, expect, it } from 'vitest';
import { createSluice } from '../../src/index.js';
import { json, startServer, type TestServer } from './server.js';

let upstream: TestServer;
beforeAll(async () => {
  upstream = await startServer((_request, response) => json(response, { data: [] }));
});
afterAll(() => upstream.close());

it(`reaches providers through ${process.env['SLUICE_TEST_TRANSPORT'] === 'node' ? 'the Node transport' : "Node's global fetch"}`, async () => {
  const sluice = createSluice();
  await (await sluice.fetch(`${upstream.origin}/v1/models`, { headers: { authorization: 'Bearer k' } })).json();
  await sluice.close();
  expect(upstream.seen[0]?.headers['sec-fetch-mode']).toBe(process.env['SLUICE_TEST_TRANSPORT'] === 'node' ? undefined : 'cors');
});
