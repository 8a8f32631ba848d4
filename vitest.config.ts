import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    exclude: ['test/runtimes/**', 'node_modules/**'],
    testTimeout: 10_000,
    pool: 'forks',
    setupFiles: ['test/setup.ts'],
  },
});
