/**
 * Summarises a `.cpuprofile`: the functions with the most self time, and the inclusive time of
 * Sluice's own functions (those in `dist/`), so a profile reads as "where Sluice's time goes".
 *
 *   node --import tsx bench/profile-summary.ts <file.cpuprofile> [top=25]
 * (`--import tsx` also writes a profile of its loader thread, `*.1.*.cpuprofile`: summarise the `*.0.*` one.)
 * @module
 */
import { readFileSync } from 'node:fs';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number };
  children?: number[];
}

interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
  startTime: number;
  endTime: number;
}

const file = process.argv[2];
if (file === undefined) throw new Error('usage: profile-summary.ts <file.cpuprofile> [top]');
const topArg = process.argv[3];
const top = topArg !== undefined && /^\d+$/.test(topArg) ? Number(topArg) : 25;
const profile = JSON.parse(readFileSync(file, 'utf8')) as Profile;

const byId = new Map(profile.nodes.map((node) => [node.id, node]));
const parent = new Map<number, number>();
for (const node of profile.nodes) for (const child of node.children ?? []) parent.set(child, node.id);

const label = (node: ProfileNode): string => {
  const { functionName, url, lineNumber } = node.callFrame;
  const short = url.replace(/^.*\/(node_modules\/[^/]+|dist)\//, '$1/').replace(/^node:/, 'node:');
  return `${functionName || '(anonymous)'} ${short === '' ? '' : `${short}:${lineNumber + 1}`}`.trim();
};
/** Sluice's own code: the built package, not the mock (`dist/testing`) nor a dependency's `dist/`. */
const isSluice = (node: ProfileNode): boolean => {
  const url = node.callFrame.url;
  return /\/dist\/[^/]+\.c?js$/.test(url) && !url.includes('/node_modules/');
};
/** Node internals and natives (undici, web streams, GC...): charged to the user code that called them. */
const isInternal = (node: ProfileNode): boolean => node.callFrame.url === '' || node.callFrame.url.startsWith('node:');
/** undici's `fetch` entry: the upstream request itself, made by both variants. */
const isUpstreamFetch = (node: ProfileNode): boolean => /^fetch2?$/.test(node.callFrame.functionName) && node.callFrame.url.includes('undici');

const self = new Map<string, number>();
const inclusive = new Map<string, number>();
// Each sample is charged to the nearest user-code frame above it: when that is Sluice's, the internals it
// called (Response, Headers, TextDecoder, JSON.parse, web streams) count as Sluice's, except the upstream fetch.
const attributed = new Map<string, number>();
const attributedLeaf = new Map<string, number>();
let attributedTotal = 0;
let total = 0;
let sluiceInclusive = 0;
for (let index = 0; index < profile.samples.length; index++) {
  const delta = profile.timeDeltas[index] ?? 0;
  total += delta;
  let node = byId.get(profile.samples[index]!);
  if (node === undefined) continue;
  self.set(label(node), (self.get(label(node)) ?? 0) + delta);
  const leaf = node;
  let upstream = false;
  for (let walker: ProfileNode | undefined = node, guard = 0; walker !== undefined && guard < 10_000; guard++) {
    if (isInternal(walker)) upstream ||= isUpstreamFetch(walker);
    else if (!isSluice(walker) || upstream) break;
    else {
      attributed.set(label(walker), (attributed.get(label(walker)) ?? 0) + delta);
      attributedLeaf.set(label(leaf), (attributedLeaf.get(label(leaf)) ?? 0) + delta);
      attributedTotal += delta;
      break;
    }
    const up = parent.get(walker.id);
    walker = up === undefined ? undefined : byId.get(up);
  }
  const seen = new Set<string>();
  let inSluice = false;
  for (let guard = 0; node !== undefined && guard < 10_000; guard++) {
    if (isSluice(node)) {
      inSluice = true;
      const name = label(node);
      if (!seen.has(name)) {
        seen.add(name);
        inclusive.set(name, (inclusive.get(name) ?? 0) + delta);
      }
    }
    const up = parent.get(node.id);
    node = up === undefined ? undefined : byId.get(up);
  }
  if (inSluice) sluiceInclusive += delta;
}

const pct = (value: number): string => `${((value / total) * 100).toFixed(1).padStart(5)} %`;
const print = (title: string, map: Map<string, number>, filter: (name: string) => boolean = () => true): void => {
  process.stdout.write(`\n${title}\n`);
  for (const [name, value] of [...map].filter(([name]) => filter(name)).sort((a, b) => b[1] - a[1]).slice(0, top)) {
    process.stdout.write(`${pct(value)}  ${(value / 1000).toFixed(0).padStart(6)} ms  ${name}\n`);
  }
};
process.stdout.write(`${file}: ${(total / 1000).toFixed(0)} ms sampled; under a Sluice frame (dist/): ${pct(sluiceInclusive)}\n`);
print('self time, all functions', self);
print('inclusive time, Sluice functions (dist/)', inclusive);
process.stdout.write(`\ncharged to Sluice (its code and the builtins it calls directly): ${pct(attributedTotal)}, ${(attributedTotal / 1000).toFixed(0)} ms\n`);
print('charged to Sluice, by Sluice function', attributed);
print('charged to Sluice, by leaf function', attributedLeaf);
