// Fails when the core entry imports a Node built-in or when Sluice's own code in it grows past its
// size budget (minified + gzipped, dependencies excluded).
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 25 * 1024;
const deps = ['eventemitter3', 'zod', 'zod/*', 'lru-cache', 'p-retry', 'p-limit'];

async function bundle(entry, external) {
  const result = await build({ entryPoints: [entry], bundle: true, minify: true, format: 'esm', platform: 'neutral', mainFields: ['module', 'main'], external, write: false, logLevel: 'silent', metafile: true });
  return { bytes: result.outputFiles[0].contents, metafile: result.metafile };
}

for (const [source, built] of [['src/index.ts', 'dist/index.js'], ['src/exporters/index.ts', 'dist/exporters/index.js']]) {
  // The published file, dependencies included: it must not reach for anything outside itself and its deps.
  const whole = await bundle(built, []);
  const foreign = Object.values(whole.metafile.inputs).flatMap((input) => input.imports).filter((imported) => imported.external || imported.path.startsWith('node:'));
  if (foreign.length > 0) {
    console.error(`${built} imports Node built-ins or unresolved modules: ${foreign.map((i) => i.path).join(', ')}`);
    process.exit(1);
  }
  const own = await bundle(source, deps);
  const gz = gzipSync(own.bytes).length;
  console.log(`${built}: own code ${(own.bytes.length / 1024).toFixed(1)} KB min, ${(gz / 1024).toFixed(1)} KB min+gz (budget ${BUDGET_BYTES / 1024} KB); with dependencies ${(gzipSync(whole.bytes).length / 1024).toFixed(1)} KB min+gz`);
  if (source === 'src/index.ts' && gz > BUDGET_BYTES) {
    console.error(`the core entry is ${gz} bytes min+gz, over its ${BUDGET_BYTES} byte budget`);
    process.exit(1);
  }
}
