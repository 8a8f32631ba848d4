/**
 * Size of the core entry and of what it loads on demand. esbuild bundles `src/index.ts` with code
 * splitting (every dependency external), minified: the entry plus the chunks it imports statically is
 * what loading `sluice` costs; each chunk reached only through a dynamic `import()` (other formats'
 * codecs, the Bedrock signer and event-stream decoder, Vertex auth, the router, stream translation, the
 * price catalog, the key pool) is reported apart, named by the sources it holds. The same is done, for information,
 * with the published `dist/index.js` and the dependencies the build bundles into it. Same approach as
 * `.ci/check-bundle.mjs` (copied, not imported).
 * @module
 */
import { build, type Metafile, type OutputFile } from 'esbuild';
import { relative } from 'node:path';
import { gzipSync } from 'node:zlib';

export const DEPENDENCIES = ['eventemitter3', 'zod', 'zod/*', 'lru-cache', 'p-retry', 'p-limit'];

export interface SizeFigures {
  minified: number;
  gzipped: number;
}

/** One chunk loaded on demand. */
export interface LazyChunk extends SizeFigures {
  /** What it holds, in words (`Anthropic codec`, `router`…), from its source files. */
  label: string;
  /** Its source files under src/, relative to the repository. */
  sources: string[];
}

/** A split bundle: what loading the entry costs, and each chunk it may load later. */
export interface SplitFigures {
  /** The entry and the chunks it imports statically, together. */
  eager: SizeFigures;
  /** Number of files in `eager` (the entry and its static chunks). */
  eagerFiles: number;
  /** Chunks reached only through dynamic `import()`, largest first. */
  lazy: LazyChunk[];
  /** Everything, eager and lazy. */
  total: SizeFigures;
}

export interface BundleResult {
  /** `src/index.ts`, dependencies external. */
  core: SplitFigures;
  /** `dist/index.js`, dependencies bundled, for information. */
  withDependencies: SplitFigures | { error: string };
}

/** How a source file is named in the report; first match wins. */
const LABELS: readonly (readonly [prefix: string, label: string])[] = [
  ['src/wire/anthropic/', 'Anthropic codec'],
  ['src/wire/gemini/', 'Gemini codec'],
  ['src/wire/openai/', 'OpenAI codec'],
  ['src/wire/ollama/', 'Ollama codec'],
  ['src/wire/bedrock/event-stream.ts', 'Bedrock event-stream decoder'],
  ['src/wire/bedrock/', 'Bedrock codec'],
  ['src/providers/bedrock/', 'Bedrock SigV4 signer'],
  ['src/providers/vertex/', 'Vertex auth'],
  ['src/wire/prices/', 'price catalog'],
  // The router and what only it uses (target health, latency and cost ordering, the retry budget).
  ['src/core/router.ts', 'router'],
  ['src/core/health.ts', 'router'],
  ['src/core/latency.ts', 'router'],
  ['src/core/cost-order.ts', 'router'],
  ['src/core/retry-budget.ts', 'router'],
  ['src/core/translate-stream.ts', 'translate-stream'],
  ['src/core/translate.ts', 'translation (answers, errors, streams)'],
  ['src/core/key-pool.ts', 'key pool (apiKeys)'],
];

function labelOf(source: string): string {
  for (const [prefix, label] of LABELS) if (source.startsWith(prefix)) return label;
  return source.replace(/^src\//, '');
}

function sizes(contents: Uint8Array): SizeFigures {
  return { minified: contents.length, gzipped: gzipSync(contents).length };
}

async function splitBundle(root: string, entry: string, external: string[]): Promise<SplitFigures> {
  const result = await build({
    absWorkingDir: root,
    entryPoints: [entry],
    bundle: true,
    splitting: true,
    // Required by `splitting`; nothing is written (`write: false`).
    outdir: '.tmp/bench-bundle',
    external,
    minify: true,
    format: 'esm',
    platform: 'neutral',
    // `neutral` sets no main fields or conditions; give the ones an ESM bundler for the web uses.
    mainFields: ['module', 'main'],
    conditions: ['import', 'default'],
    write: false,
    logLevel: 'silent',
    metafile: true,
  });
  const outputs: Metafile['outputs'] = result.metafile.outputs;
  // Metafile keys are relative to absWorkingDir; output files carry absolute paths.
  const byPath = new Map<string, OutputFile>(result.outputFiles.map((file) => [relative(root, file.path), file]));
  const entryPath = [...byPath.keys()].find((path) => outputs[path]?.entryPoint === entry);
  if (entryPath === undefined) throw new Error(`esbuild produced no output for ${entry}`);
  // The entry and the chunks it imports statically are what loading it costs; dynamically imported chunks are not.
  const eager = new Set<string>();
  const visit = (path: string): void => {
    if (eager.has(path)) return;
    eager.add(path);
    for (const imported of outputs[path]?.imports ?? []) if (imported.kind === 'import-statement' && byPath.has(imported.path)) visit(imported.path);
  };
  visit(entryPath);
  const files = [...byPath.entries()].filter(([path]) => path.endsWith('.js'));
  const eagerBytes = Buffer.concat(files.filter(([path]) => eager.has(path)).map(([, file]) => file.contents));
  const lazy = files
    .filter(([path]) => !eager.has(path))
    .map(([path, file]): LazyChunk => {
      const sources = Object.keys(outputs[path]?.inputs ?? {}).filter((input) => input.startsWith('src/'));
      const labels = [...new Set(sources.map(labelOf))];
      // A chunk with no source of its own only re-exports another (esbuild's split of a shared import).
      const stub = `re-export stub (${path.replace(/^.*\//, '').replace(/-[A-Z0-9]{8}\.js$/, '')})`;
      return { ...sizes(file.contents), label: labels.length === 0 ? stub : labels.join(' + '), sources };
    })
    .sort((a, b) => b.gzipped - a.gzipped);
  return { eager: sizes(eagerBytes), eagerFiles: eager.size, lazy, total: sizes(Buffer.concat(files.map(([, file]) => file.contents))) };
}

/**
 * Bundles the core entry's source without dependencies, and the published file with them.
 * @param root - the repository root
 * @returns the split figures of both
 */
export async function measureBundle(root: string): Promise<BundleResult> {
  const core = await splitBundle(root, 'src/index.ts', DEPENDENCIES);
  let withDependencies: BundleResult['withDependencies'];
  try {
    withDependencies = await splitBundle(root, 'dist/index.js', []);
  } catch (error) {
    withDependencies = { error: error instanceof Error ? (error.message.split('\n')[0] ?? 'failed') : String(error) };
  }
  return { core, withDependencies };
}
