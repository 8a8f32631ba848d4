/**
 * Size of the core entry: Sluice's own code (`src/index.ts` bundled with every dependency external),
 * minified and gzipped, and, for information, the published `dist/index.js` with the dependencies the
 * build bundles into it (zod, p-retry, eventemitter3).
 * @module
 */
import { build } from 'esbuild';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';

export const DEPENDENCIES = ['eventemitter3', 'zod', 'zod/*', 'lru-cache', 'p-retry', 'p-limit'];

export interface SizeFigures {
  minified: number;
  gzipped: number;
}

export interface BundleResult {
  core: SizeFigures;
  withDependencies: SizeFigures | { error: string };
}

async function bundle(entry: string, external: string[]): Promise<SizeFigures> {
  const result = await build({
    entryPoints: [entry],
    bundle: true,
    external,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    // `neutral` sets no main fields or conditions; give the ones an ESM bundler for the web uses.
    mainFields: ['module', 'main'],
    conditions: ['import', 'default'],
    write: false,
    logLevel: 'silent',
  });
  const file = result.outputFiles[0];
  if (file === undefined) throw new Error('esbuild produced no output');
  return { minified: file.contents.length, gzipped: gzipSync(file.contents).length };
}

/** Bundles the core entry's source without dependencies, and the published file with them. */
export async function measureBundle(root: string): Promise<BundleResult> {
  const core = await bundle(join(root, 'src/index.ts'), DEPENDENCIES);
  let withDependencies: BundleResult['withDependencies'];
  try {
    withDependencies = await bundle(join(root, 'dist/index.js'), []);
  } catch (error) {
    withDependencies = { error: error instanceof Error ? error.message.split('\n')[0] ?? 'failed' : String(error) };
  }
  return { core, withDependencies };
}
