import { defineConfig, type Options } from 'tsup';

type TsupPlugin = NonNullable<Options['plugins']>[number];

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
  'litellm/index': 'src/litellm/index.ts',
  'helicone/index': 'src/helicone/index.ts',
  'mcp/index': 'src/mcp/index.ts',
  node: 'src/node/index.ts',
  'audit/index': 'src/audit/index.ts',
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

/**
 * Lowers each `import('./chunk.cjs')` of the CommonJS build to `Promise.resolve().then(() => require('./chunk.cjs'))`:
 * the code loaded on demand (codecs, router, prices, key pools, deadlines, SigV4, Vertex auth) stays lazy, and
 * runtimes whose CommonJS loader has no dynamic `import()` (Jest without `--experimental-vm-modules`,
 * `ERR_VM_DYNAMIC_IMPORT_CALLBACK_MISSING_FLAG`) can load it. Every such chunk exports its names on `exports`,
 * so `require` gives what `import()` gave. Lines are kept, so the source maps still point at the right line.
 * A dynamic import of anything else fails the build rather than ship a CommonJS file that cannot run there.
 */
export const lazyRequire: TsupPlugin = {
  name: 'lazy-require',
  renderChunk(code, chunk) {
    if (!/\.c?js$/.test(chunk.path)) return undefined;
    const lowered = code.replace(/\bimport\((["'])(\.\.?\/[\w./-]+\.cjs)\1\)/g, (_call, _quote: string, path: string) => `Promise.resolve().then(() => require(${JSON.stringify(path)}))`);
    const left = /\bimport\([^)]*\)/.exec(lowered);
    if (left) throw new Error(`${chunk.path}: a dynamic import the CommonJS build cannot lower: ${left[0]}`);
    return { code: lowered };
  },
};

// zod, p-retry and eventemitter3 are bundled (tree-shaken) into the build: loading zod's module graph
// at run time costs ~100 ms of import on Node 20 and the whole core must import in under 30 ms
// (bench/RESULTS.md). p-limit is ESM-only: the CommonJS build bundles it too.
const bundled = ['zod', 'p-retry', 'is-network-error', 'eventemitter3'];
const collector: Options = { entry: { 'collector/index': 'src/collector/index.ts' }, target: 'node20', platform: 'node', sourcemap: true, treeshake: true, splitting: true, external: [/^node:/, 'better-sqlite3', 'pg'], noExternal: bundled };
export default defineConfig([
  // `npm run build` empties dist/ first: a `clean` here would race the other configs, which build at the same time.
  { ...shared, format: 'esm', dts: true, noExternal: bundled },
  { ...shared, format: 'cjs', dts: true, noExternal: [...bundled, 'p-limit', 'yocto-queue'], plugins: [lazyRequire] },
  // The collector: Node only, built apart so its chunks (the SQLite driver's `require`, node:http) are never shared with the core entry.
  { ...collector, format: 'esm', dts: true },
  { ...collector, format: 'cjs', dts: true, noExternal: [...bundled, 'p-limit', 'yocto-queue'], plugins: [lazyRequire] },
  // The `sluice` command: Node only, ESM only (it reads import.meta.url), never imported by a library entry.
  { entry: { cli: 'src/cli/index.ts' }, format: 'esm', target: 'node20', platform: 'node', splitting: true, sourcemap: true, treeshake: true, noExternal: bundled },
]);
