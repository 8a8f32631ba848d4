// The tests mutation testing runs (stryker.config.mjs): the unit tests of the mutated modules, without
// the SDK end-to-end suites, so each mutant is judged in seconds. Redis store tests need the local
// Redis (127.0.0.1:6379), as in `npm test`.
import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    root: new URL('../..', import.meta.url).pathname,
    include: [
      'test/wire/**/*.test.ts',
      'test/plugins/pii.test.ts',
      'test/plugins/pii-restore.test.ts',
      'test/plugins/pii-detectors.test.ts',
      'test/plugins/pii-linear.test.ts',
      'test/plugins/pii-text-fields.test.ts',
      'test/plugins/cache-key.test.ts',
      'test/plugins/cache-replay.test.ts',
      'test/plugins/cache.test.ts',
      'test/plugins/limits.test.ts',
      'test/plugins/limits-rate.test.ts',
      'test/plugins/limits-semaphore.test.ts',
      'test/plugins/budget.test.ts',
      'test/stores/redis-budget.test.ts',
      'test/stores/redis-limits.test.ts',
      'test/stores/cache-store.test.ts',
      'test/core/health*.test.ts',
      'test/core/secrets*.test.ts',
      'test/prices/drift.test.ts',
      'test/prices/foreign.test.ts',
    ],
    testTimeout: 10_000,
    pool: 'forks',
    setupFiles: ['test/setup.ts'],
  },
});
