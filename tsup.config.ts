import { defineConfig, type Options } from 'tsup';

const entry = {
  index: 'src/index.ts',
  'exporters/index': 'src/exporters/index.ts',
  'exporters/node': 'src/exporters/node/index.ts',
  'testing/index': 'src/testing/index.ts',
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

// p-retry and p-limit are ESM-only: the ESM build keeps them external, the CommonJS build bundles them.
export default defineConfig([
  { ...shared, format: 'esm', dts: true, clean: true },
  { ...shared, format: 'cjs', dts: true, noExternal: ['p-retry', 'p-limit', 'is-network-error', 'yocto-queue'] },
]);
