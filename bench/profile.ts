/**
 * Focused workloads to profile one cost at a time, outside the benchmark:
 *
 *   node --cpu-prof --cpu-prof-dir=.tmp/prof --import tsx bench/profile.ts call      # calls through zero config
 *   node --cpu-prof --cpu-prof-dir=.tmp/prof --import tsx bench/profile.ts call-direct
 *   node --cpu-prof --cpu-prof-dir=.tmp/prof --import tsx bench/profile.ts chunks-pass   # or chunks-inspect
 *   node --import tsx bench/profile-summary.ts .tmp/prof/<file>.cpuprofile
 *   node --expose-gc --import tsx bench/profile.ts heap   # heap growth, direct vs zero config
 *
 * Uses the built package (`npm run build` first).
 * @module
 */
import { createSluice } from 'sluice';
import { chatOnce, createFixture } from './lib/fixture.js';
import { collectGarbage, runConcurrent } from './lib/interleave.js';
import { fakeUpstream, readStream } from './stream-chunks.js';

const mode = process.argv[2] ?? 'call';
const CALLS = 20_000;
const STREAMS = 300;
let sink = 0;

if (mode === 'call' || mode === 'call-direct') {
  const fixture = await createFixture();
  const variant = fixture.calls.find((entry) => entry.key === (mode === 'call' ? 'zero' : 'direct'))!;
  for (let index = 0; index < CALLS; index++) {
    sink += await chatOnce(variant.client, variant.model);
    if (index % 1000 === 999) fixture.resetMocks();
  }
  await fixture.close();
} else if (mode === 'chunks-pass' || mode === 'chunks-inspect') {
  const sluice = createSluice({ fetch: fakeUpstream(2000), streamUsage: mode === 'chunks-inspect' });
  for (let index = 0; index < STREAMS; index++) sink += (await readStream(sluice.fetch)).bytes;
  await sluice.close();
} else if (mode === 'heap') {
  const fixture = await createFixture();
  const heap = (): number => {
    collectGarbage();
    return process.memoryUsage().heapUsed;
  };
  for (const key of ['direct', 'zero', 'direct', 'zero'] as const) {
    const client = key === 'zero' ? fixture.freshZero().client : fixture.calls[0]!.client;
    const model = 'gpt-4o-mini';
    const run = async (count: number) => {
      for (let done = 0; done < count; done += 1000) {
        sink += await runConcurrent(1000, 8, () => chatOnce(client, model));
        fixture.resetMocks();
      }
    };
    await run(3000);
    const before = heap();
    await run(20_000);
    const after = heap();
    process.stdout.write(`${key}: ${((after - before) / 1024).toFixed(1)} KB over 20,000 calls (${((after - before) / 20_000).toFixed(2)} B per call)\n`);
  }
  await fixture.close();
} else {
  throw new Error(`unknown mode ${mode}: call | call-direct | chunks-pass | chunks-inspect | heap`);
}
process.stdout.write(`done (${sink})\n`);
