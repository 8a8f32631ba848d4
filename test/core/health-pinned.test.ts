/**
 * HealthTracker behaviour mutation testing found unpinned (issue 20): outage lengths measured from an
 * outage that does not start at time 0, a re-ejection continuing the same outage, an unseen key,
 * and cool-downs that repeat or shorten.
 */
import { describe, expect, it } from 'vitest';
import { HealthTracker } from '../../src/core/health.js';

const options = { consecutiveFailures: 2, baseEjectionMs: 1_000, maxEjectionMs: 8_000, errorRate: 1, windowSize: 20, minRequests: 20 };

function eject(health: HealthTracker, key: string, atMs: number): void {
  health.record(key, 'failure', atMs);
  health.record(key, 'failure', atMs);
}

describe('HealthTracker outages', () => {
  it('reports an outage length from its first ejection, wherever the clock starts', () => {
    const health = new HealthTracker(options);
    eject(health, 'a', 50_000);
    expect(health.state('a', 50_999)).toBe('ejected');
    expect(health.state('a', 51_000)).toBe('half-open');
    expect(health.tryAcquireProbe('a', 51_200)).toBe(true);
    expect(health.record('a', 'success', 51_250)).toEqual({ type: 'recover', key: 'a', downMs: 1_250 });
    expect(health.state('a', 51_251)).toBe('healthy');
  });

  it('counts a failed probe and its longer ejection as the same outage', () => {
    const health = new HealthTracker(options);
    eject(health, 'a', 10_000);
    expect(health.tryAcquireProbe('a', 11_000)).toBe(true);
    expect(health.record('a', 'failure', 11_000)).toEqual({ type: 'eject', key: 'a', untilMs: 13_000, reason: 'probe_failed', ejections: 2 });
    expect(health.tryAcquireProbe('a', 13_000)).toBe(true);
    expect(health.record('a', 'success', 13_500)).toEqual({ type: 'recover', key: 'a', downMs: 3_500 });
  });

  it('caps a growing ejection at maxEjectionMs', () => {
    const health = new HealthTracker(options);
    eject(health, 'a', 0);
    let now = 1_000;
    const lengths: number[] = [];
    for (let round = 0; round < 6; round++) {
      expect(health.tryAcquireProbe('a', now)).toBe(true);
      const change = health.record('a', 'failure', now);
      if (change?.type !== 'eject') throw new Error('expected an ejection');
      lengths.push(change.untilMs - now);
      now = change.untilMs;
    }
    expect(lengths).toEqual([2_000, 4_000, 8_000, 8_000, 8_000, 8_000]);
  });

  it('knows nothing bad of a key it has never seen', () => {
    const health = new HealthTracker(options);
    expect(health.state('never', 123)).toBe('healthy');
    expect(health.tryAcquireProbe('never', 123)).toBe(true);
    expect(health.snapshot(123)).toEqual([]);
  });
});

describe('HealthTracker cool-downs (429 with a reset time)', () => {
  it('ignores a second cool-down that ends no later, and extends for one that ends later', () => {
    const health = new HealthTracker(options);
    expect(health.coolDown('a', 5_000)).toEqual({ type: 'eject', key: 'a', untilMs: 5_000, reason: 'rate_limited', ejections: 0 });
    expect(health.coolDown('a', 5_000)).toBeNull();
    expect(health.coolDown('a', 4_000)).toBeNull();
    expect(health.state('a', 4_999)).toBe('ejected');
    expect(health.coolDown('a', 6_000)).toMatchObject({ untilMs: 6_000 });
    expect(health.state('a', 5_500)).toBe('ejected');
    expect(health.state('a', 6_000)).toBe('healthy');
  });

  it('a cool-down already over hides nothing', () => {
    const health = new HealthTracker(options);
    health.coolDown('a', 1_000);
    expect(health.state('a', 1_000)).toBe('healthy');
    expect(health.tryAcquireProbe('a', 1_000)).toBe(true);
  });
});
