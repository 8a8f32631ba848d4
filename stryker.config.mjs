// StrykerJS: mutation testing of the modules that guard users' data and money (issue 20).
// `npm run test:mutation` runs it incrementally: only code changed since the committed result file
// (test/mutation/incremental.json) is mutated again. Each module is tested by the test files that
// import it (the vitest runner's `related`), with the TypeScript checker discarding mutants that
// do not compile. `thresholds.break` fails the run under 85 %.
/** @type {import('@stryker-mutator/api/core').PartialStrykerOptions} */
export default {
  testRunner: 'vitest',
  vitest: { configFile: 'test/mutation/vitest.config.ts', related: true },
  checkers: ['typescript'],
  tsconfigFile: 'tsconfig.json',
  typescriptChecker: { prioritizePerformanceOverAccuracy: true },
  coverageAnalysis: 'perTest',
  mutate: [
    // The PII filter: detectors, redaction, restoration of answers and streams.
    'src/plugins/pii/detectors.ts',
    'src/plugins/pii/redact.ts',
    'src/plugins/pii/restore.ts',
    // SSE framing and the stream decoders.
    'src/wire/sse.ts',
    'src/wire/framing.ts',
    'src/wire/bedrock/event-stream.ts',
    // The cache key and replay.
    'src/plugins/cache/key.ts',
    'src/plugins/cache/replay.ts',
    // Rate limits and budgets, with their stores.
    'src/plugins/limits/rate.ts',
    'src/plugins/budget/period.ts',
    'src/stores/memory/limits.ts',
    'src/stores/memory/budget.ts',
    'src/stores/redis/limits.ts',
    'src/stores/redis/budget.ts',
    // Health, prices and cost, the secrets scrubber, usage readers.
    'src/core/health.ts',
    'src/wire/price.ts',
    'src/core/secrets.ts',
    'src/wire/openai/usage.ts',
  ],
  incremental: true,
  incrementalFile: 'test/mutation/incremental.json',
  thresholds: { high: 90, low: 85, break: 85 },
  reporters: ['clear-text', 'progress', 'json'],
  jsonReporter: { fileName: '.tmp/mutation/report.json' },
  htmlReporter: { fileName: '.tmp/mutation/report.html' },
  tempDirName: '.tmp/stryker',
  concurrency: 2,
  timeoutMS: 20000,
  cleanTempDir: 'always',
};
