import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { SluiceConfigError } from '../../src/core/errors.js';
import { budget, cache, guard, limits, pii, semanticCache } from '../../src/plugins/index.js';
import { otel } from '../../src/otel/index.js';

function issuesOf(run: () => unknown): { path: string; message: string }[] {
  try {
    run();
  } catch (error) {
    if (error instanceof SluiceConfigError) return error.issues.map(({ path, message }) => ({ path, message }));
    throw error;
  }
  throw new Error('expected a SluiceConfigError');
}

describe('misconfigurations refused at createSluice (issue 11)', () => {
  it('health.minRequests above windowSize, against the defaults too', () => {
    expect(issuesOf(() => createSluice({ health: { minRequests: 30 } }))).toEqual([{ path: 'health.minRequests', message: 'minRequests (30) must not exceed windowSize (20)' }]);
    expect(issuesOf(() => createSluice({ health: { windowSize: 5 } }))).toEqual([{ path: 'health.windowSize', message: 'minRequests (10) must not exceed windowSize (5)' }]);
    expect(() => createSluice({ health: { minRequests: 30, windowSize: 40 } })).not.toThrow();
  });

  it('health.maxEjectionMs below baseEjectionMs', () => {
    expect(issuesOf(() => createSluice({ health: { maxEjectionMs: 1000 } }))).toEqual([{ path: 'health.maxEjectionMs', message: 'maxEjectionMs (1000) must be >= baseEjectionMs (30000)' }]);
  });

  it.each([
    ['pii', pii],
    ['guard', guard],
    ['limits', limits],
    ['budget', budget],
    ['cache', cache],
    ['semanticCache', semanticCache],
    ['otel', otel],
  ])('a plugin factory passed uncalled (%s) is refused with "call it"', (name, factory) => {
    expect(issuesOf(() => createSluice({ use: [factory as never] }))).toEqual([{ path: 'use[0]', message: `this is the plugin factory itself: call it, \`${name}()\`` }]);
    expect(() => createSluice().use(factory as never)).toThrow(`call it, \`${name}()\``);
  });
});
