// Fails when the core entry imports a Node built-in or grows past its size budget
// (minified + gzipped, dependencies excluded).
import { build } from 'esbuild';
import { gzipSync } from 'node:zlib';

const BUDGET_BYTES = 25 * 1024;
const deps = ['eventemitter3', 'zod', 'zod/*', 'lru-cache', 'p-retry', 'p-limit'];

for (const entry of ['dist/index.js', 'dist/exporters/index.js']) {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    external: deps,
    write: false,
    logLevel: 'silent',
    metafile: true,
  });
  const nodeImports = Object.values(result.metafile.inputs)
    .flatMap((input) => input.imports)
    .filter((imported) => imported.path.startsWith('node:') || imported.external && !deps.some((dep) => imported.path === dep || imported.path.startsWith(dep.replace('/*', '/'))));
  if (nodeImports.length > 0) {
    console.error(`${entry} imports Node built-ins or unknown externals: ${nodeImports.map((i) => i.path).join(', ')}`);
    process.exit(1);
  }
  const gz = gzipSync(result.outputFiles[0].contents).length;
  console.log(`${entry}: ${(result.outputFiles[0].contents.length / 1024).toFixed(1)} KB min, ${(gz / 1024).toFixed(1)} KB min+gz (budget ${BUDGET_BYTES / 1024} KB)`);
  if (entry === 'dist/index.js' && gz > BUDGET_BYTES) {
    console.error(`the core entry is ${gz} bytes min+gz, over its ${BUDGET_BYTES} byte budget`);
    process.exit(1);
  }
}
