// Sluice loads its price catalog beside the first calls of a process, and those calls' records wait
// for it. Loading it here, as a running application will have, keeps each test file independent of
// whether an earlier file happened to load it first (tests about that first load await `flush()`).
await import('../src/wire/prices/index.js');
import type * as SluiceModule from '../src/core/sluice.js';

// `SLUICE_TEST_TRANSPORT=node`: every instance a test makes without its own `fetch` reaches providers
// through sluice/node's transport instead of Node's global fetch (CI runs the SDK suites both ways).
if (process.env['SLUICE_TEST_TRANSPORT'] === 'node') {
  const { vi } = await import('vitest');
  vi.doMock('../src/core/sluice.js', async (importOriginal) => {
    const actual = await importOriginal<typeof SluiceModule>();
    const { nodeTransport } = await import('../src/node/index.js');
    const createSluice: typeof actual.createSluice = (config = {}) => actual.createSluice(config.fetch === undefined ? { ...config, fetch: nodeTransport() } : config);
    return { ...actual, createSluice };
  });
}
