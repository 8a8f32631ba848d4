// Fails when the core entry imports a Node built-in or when Sluice's own code in it grows past its
// size budget (minified + gzipped, dependencies excluded). Code the core loads only on demand (other
// dialects' codecs, the Bedrock signer and event-stream decoder) is reported apart: it is not in the
// entry a user loads, and a Bedrock configuration is the only thing that loads the signer.
import { build } from 'esbuild';
import { Buffer } from 'node:buffer';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 25 * 1024;
const deps = ['eventemitter3', 'zod', 'zod/*', 'lru-cache', 'p-retry', 'p-limit'];

async function bundle(entry, external) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    outdir: '.tmp/bundle-check',
    minify: true,
    format: 'esm',
    platform: 'neutral',
    mainFields: ['module', 'main'],
    // What a browser or edge bundler resolves (lru-cache's default build imports node:diagnostics_channel; its browser build does not).
    conditions: ['browser'],
    external,
    write: false,
    logLevel: 'silent',
    metafile: true,
  });
  // The entry and the chunks it imports statically are what loading it costs; dynamically imported chunks are not.
  const byPath = new Map(result.outputFiles.map((file) => [relative(file.path), file]));
  const entryPath = [...byPath.keys()].find((path) => result.metafile.outputs[path]?.entryPoint === entry);
  const eager = new Set();
  const visit = (path) => {
    if (eager.has(path)) return;
    eager.add(path);
    for (const imported of result.metafile.outputs[path]?.imports ?? []) if (imported.kind === 'import-statement' && byPath.has(imported.path)) visit(imported.path);
  };
  visit(entryPath);
  const bytes = Buffer.concat([...eager].map((path) => byPath.get(path).contents));
  const lazy = result.outputFiles.filter((file) => !eager.has(relative(file.path)));
  return { bytes, lazy, metafile: result.metafile };
}

function relative(path) {
  return path.slice(path.indexOf('.tmp/bundle-check'));
}

const kb = (bytes) => (bytes / 1024).toFixed(1);

for (const [source, built] of [['src/index.ts', 'dist/index.js'], ['src/exporters/index.ts', 'dist/exporters/index.js'], ['src/plugins/index.ts', 'dist/plugins/index.js']]) {
  // The published file, dependencies included: it must not reach for anything outside itself and its deps.
  const whole = await bundle(built, []);
  const foreign = Object.values(whole.metafile.inputs).flatMap((input) => input.imports).filter((imported) => imported.external || imported.path.startsWith('node:'));
  if (foreign.length > 0) {
    console.error(`${built} imports Node built-ins or unresolved modules: ${foreign.map((i) => i.path).join(', ')}`);
    process.exit(1);
  }
  const own = await bundle(source, deps);
  const gz = gzipSync(own.bytes).length;
  console.log(`${built}: own code ${kb(own.bytes.length)} KB min, ${kb(gz)} KB min+gz (budget ${BUDGET_BYTES / 1024} KB); with dependencies ${kb(gzipSync(whole.bytes).length)} KB min+gz`);
  for (const chunk of own.lazy) {
    const inputs = Object.keys(own.metafile.outputs[relative(chunk.path)]?.inputs ?? {}).filter((input) => input.startsWith('src/'));
    console.log(`  loaded on demand: ${kb(gzipSync(chunk.contents).length)} KB min+gz  ${inputs.join(', ')}`);
  }
  if (source === 'src/index.ts' && gz > BUDGET_BYTES) {
    console.error(`the core entry is ${gz} bytes min+gz, over its ${BUDGET_BYTES} byte budget`);
    process.exit(1);
  }
}
