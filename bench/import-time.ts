/**
 * Import time of the built package, in fresh processes: ESM `import()` of `dist/index.js` and CommonJS
 * `require()` of `dist/index.cjs`, each timed inside the child from just before the import.
 * @module
 */
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { median } from './lib/stats.js';

export interface ImportResult {
  esmMs: number;
  cjsMs: number;
  esmSamples: number[];
  cjsSamples: number[];
}

function timeChild(args: string[]): number {
  const out = execFileSync(process.execPath, args, { encoding: 'utf8', timeout: 30_000, env: { ...process.env, NODE_OPTIONS: '' } });
  const value = Number.parseFloat(out.trim());
  if (!Number.isFinite(value)) throw new Error(`unexpected output from import child: ${out}`);
  return value;
}

/** Spawns `runs` children for each format and takes the medians. */
export function measureImport(root: string, runs: number): ImportResult {
  const esmUrl = pathToFileURL(join(root, 'dist/index.js')).href;
  const cjsPath = join(root, 'dist/index.cjs');
  const esmCode = `const t = performance.now(); const m = await import(${JSON.stringify(esmUrl)}); const d = performance.now() - t; if (typeof m.createSluice !== 'function') process.exit(2); console.log(d);`;
  const cjsCode = `const t = performance.now(); const m = require(${JSON.stringify(cjsPath)}); const d = performance.now() - t; if (typeof m.createSluice !== 'function') process.exit(2); console.log(d);`;
  const esmSamples: number[] = [];
  const cjsSamples: number[] = [];
  // Alternate so both formats see the same machine state.
  for (let index = 0; index < runs; index++) {
    esmSamples.push(timeChild(['--input-type=module', '-e', esmCode]));
    cjsSamples.push(timeChild(['--input-type=commonjs', '-e', cjsCode]));
  }
  return { esmMs: median(esmSamples), cjsMs: median(cjsSamples), esmSamples, cjsSamples };
}
