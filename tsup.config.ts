import { defineConfig, type Options } from 'tsup';

const entry = {
  index: 'src/index.ts',
  'exporters/index': 'src/exporters/index.ts',
  'exporters/node': 'src/exporters/node/index.ts',
  'testing/index': 'src/testing/index.ts',
  'providers/index': 'src/providers/index.ts',
  intercept: 'src/intercept/index.ts',
  'plugins/index': 'src/plugins/index.ts',
  'stores/index': 'src/stores/index.ts',
  'stores/redis': 'src/stores/redis/index.ts',
  'stores/postgres': 'src/stores/postgres/index.ts',
  'undici/index': 'src/undici/index.ts',
  'otel/index': 'src/otel/index.ts',
};

const shared: Options = {
  entry,
  target: 'node20',
  platform: 'neutral',
  sourcemap: true,
  treeshake: true,
  splitting: true,
  external: [/^node:/],
};

// zod, p-retry and eventemitter3 are bundled (tree-shaken) into the build: loading zod's module graph
// at run time costs ~100 ms of import on Node 20 and the whole core must import in under 30 ms
// (bench/RESULTS.md). p-limit is ESM-only: the CommonJS build bundles it too.
const bundled = ['zod', 'p-retry', 'is-network-error', 'eventemitter3'];
export default defineConfig([
  { ...shared, format: 'esm', dts: true, clean: true, noExternal: bundled },
  { ...shared, format: 'cjs', dts: true, noExternal: [...bundled, 'p-limit', 'yocto-queue'] },
]);
