import { describe, expect, it } from 'vitest';
import { HealthTracker, type HealthOutcome } from '../../src/core/health.js';

const target = (key: string) => ({ key });

function recordMany(health: HealthTracker, key: string, outcomes: readonly HealthOutcome[], nowMs: number) {
  return outcomes.map((outcome) => health.record(key, outcome, nowMs));
}

describe('HealthTracker ejection', () => {
  it('ejects after N consecutive failures, for baseEjectionMs', () => {
    const health = new HealthTracker({ consecutiveFailures: 3, baseEjectionMs: 1000 });
    expect(health.record('a', 'failure', 0)).toBeNull();
    expect(health.record('a', 'failure', 10)).toBeNull();
    expect(health.state('a', 10)).toBe('healthy');
    expect(health.record('a', 'failure', 20)).toEqual({ type: 'eject', key: 'a', untilMs: 1020, reason: 'consecutive_failures', ejections: 1 });
    expect(health.state('a', 20)).toBe('ejected');
    expect(health.state('a', 1019)).toBe('ejected');
    expect(health.state('a', 1020)).toBe('half-open');
  });

  it('a success breaks the run of failures', () => {
    const health = new HealthTracker({ consecutiveFailures: 3, minRequests: 20 });
    const changes = recordMany(health, 'a', ['failure', 'failure', 'success', 'failure', 'failure'], 0);
    expect(changes.every((change) => change === null)).toBe(true);
    expect(health.state('a', 0)).toBe('healthy');
  });

  it('ejects by error rate once the window holds minRequests outcomes', () => {
    const health = new HealthTracker({ consecutiveFailures: 100, errorRate: 0.5, windowSize: 10, minRequests: 6, baseEjectionMs: 500 });
    // Alternating: 50% failures, but only 5 outcomes before the 6th, which decides.
    const changes = recordMany(health, 'a', ['failure', 'success', 'failure', 'success', 'failure'], 0);
    expect(changes.every((change) => change === null)).toBe(true);
    expect(health.record('a', 'success', 5)).toBeNull(); // 3/6 = 0.5, but a success never ejects
    expect(health.record('a', 'failure', 6)).toEqual({ type: 'eject', key: 'a', untilMs: 506, reason: 'error_rate', ejections: 1 }); // 4/7
  });

  it('judges the error rate over a rolling window: old failures age out', () => {
    const health = new HealthTracker({ consecutiveFailures: 100, errorRate: 0.5, windowSize: 4, minRequests: 4 });
    recordMany(health, 'a', ['failure', 'success', 'success', 'success'], 0); // 1/4
    expect(health.snapshot(0)[0]?.errorRate).toBe(0.25);
    // The window slides: [success, success, success, failure] is still 1/4, then 2/4 ejects.
    expect(health.record('a', 'failure', 1)).toBeNull();
    expect(health.snapshot(1)[0]?.errorRate).toBe(0.25);
    expect(health.record('a', 'failure', 2)?.type).toBe('eject');
  });

  it('doubles the ejection per consecutive ejection, capped at maxEjectionMs', () => {
    const health = new HealthTracker({ consecutiveFailures: 1, baseEjectionMs: 1000, maxEjectionMs: 5000 });
    let nowMs = 0;
    const lengths: number[] = [];
    let change = health.record('a', 'failure', nowMs);
    for (let round = 0; round < 5; round++) {
      if (change?.type !== 'eject') throw new Error('expected an ejection');
      lengths.push(change.untilMs - nowMs);
      nowMs = change.untilMs; // half-open now
      expect(health.tryAcquireProbe('a', nowMs)).toBe(true);
      change = health.record('a', 'failure', nowMs);
    }
    // 1000, 2000, 4000, then 8000 and 16000 capped at 5000.
    expect(lengths).toEqual([1000, 2000, 4000, 5000, 5000]);
  });

  it('ignores outcomes recorded while ejected (calls that started before, or forced ones)', () => {
    const health = new HealthTracker({ consecutiveFailures: 1, baseEjectionMs: 1000 });
    health.record('a', 'failure', 0);
    expect(health.record('a', 'success', 500)).toBeNull();
    expect(health.record('a', 'failure', 600)).toBeNull();
    expect(health.state('a', 999)).toBe('ejected');
    expect(health.snapshot(600)[0]).toMatchObject({ ejections: 1, ejectedUntilMs: 1000 });
  });
});

describe('HealthTracker half-open probes', () => {
  function ejected(options: ConstructorParameters<typeof HealthTracker>[0] = {}) {
    const health = new HealthTracker({ consecutiveFailures: 1, baseEjectionMs: 1000, ...options });
    health.record('a', 'failure', 0);
    return health;
  }

  it('admits exactly one probe while half-open, until its outcome is recorded', () => {
    const health = ejected();
    expect(health.tryAcquireProbe('a', 999)).toBe(false); // still ejected
    expect(health.tryAcquireProbe('a', 1000)).toBe(true);
    expect(health.tryAcquireProbe('a', 1001)).toBe(false);
    expect(health.tryAcquireProbe('a', 5000)).toBe(false);
    expect(health.state('a', 5000)).toBe('half-open');
  });

  it('always admits calls to healthy and unknown targets', () => {
    const health = new HealthTracker();
    expect(health.tryAcquireProbe('never-seen', 0)).toBe(true);
    health.record('b', 'success', 0);
    expect(health.tryAcquireProbe('b', 0)).toBe(true);
    expect(health.tryAcquireProbe('b', 0)).toBe(true);
  });

  it('a probe success recovers the target and resets its counters', () => {
    const health = ejected({ consecutiveFailures: 2 });
    health.record('a', 'failure', 0); // second failure: ejected at 0 until 1000
    expect(health.tryAcquireProbe('a', 1500)).toBe(true);
    expect(health.record('a', 'success', 1700)).toEqual({ type: 'recover', key: 'a', downMs: 1700 });
    expect(health.state('a', 1700)).toBe('healthy');
    expect(health.snapshot(1700)[0]).toEqual({
      key: 'a',
      state: 'healthy',
      consecutiveFailures: 0,
      errorRate: 0,
      ejectedUntilMs: null,
      ejections: 1, // kept until resetEjectionsAfter successes in a row
      reason: null,
    });
  });

  it('a probe failure ejects again for twice as long, and downMs spans the whole outage', () => {
    const health = ejected();
    expect(health.tryAcquireProbe('a', 1000)).toBe(true);
    expect(health.record('a', 'failure', 1100)).toEqual({ type: 'eject', key: 'a', untilMs: 3100, reason: 'probe_failed', ejections: 2 });
    expect(health.state('a', 3099)).toBe('ejected');
    expect(health.tryAcquireProbe('a', 3100)).toBe(true);
    expect(health.record('a', 'success', 3200)).toEqual({ type: 'recover', key: 'a', downMs: 3200 });
  });

  it('forgets the ejection count after resetEjectionsAfter successes in a row', () => {
    const health = ejected({ resetEjectionsAfter: 3 });
    health.record('a', 'success', 1000); // the probe: recover, streak 1
    health.record('a', 'success', 1001);
    expect(health.snapshot(1001)[0]?.ejections).toBe(1);
    health.record('a', 'success', 1002);
    expect(health.snapshot(1002)[0]?.ejections).toBe(0);
    // So the next ejection is short again.
    expect(health.record('a', 'failure', 2000)).toMatchObject({ untilMs: 3000, ejections: 1 });
  });

  it('frees a probe slot that is released or never answered', () => {
    const health = ejected({ probeTimeoutMs: 10_000 });
    expect(health.tryAcquireProbe('a', 1000)).toBe(true);
    health.releaseProbe('a');
    expect(health.tryAcquireProbe('a', 1001)).toBe(true);
    expect(health.tryAcquireProbe('a', 11_000)).toBe(false);
    expect(health.tryAcquireProbe('a', 11_001)).toBe(true);
  });
});

describe('HealthTracker.usable', () => {
  it('keeps the order and drops ejected targets and half-open ones with a probe out', () => {
    const health = new HealthTracker({ consecutiveFailures: 1, baseEjectionMs: 1000 });
    const targets = ['a', 'b', 'c', 'd'].map(target);
    health.record('b', 'failure', 0); // half-open from 1000
    health.record('c', 'failure', 500); // ejected until 1500
    health.record('d', 'success', 0);
    expect(health.usable(targets, 1200)).toEqual({ targets: [target('a'), target('b'), target('d')], forced: null });
    health.tryAcquireProbe('b', 1200);
    expect(health.usable(targets, 1200)).toEqual({ targets: [target('a'), target('d')], forced: null });
  });

  it('forces the target whose ejection ends first when none is usable', () => {
    const health = new HealthTracker({ consecutiveFailures: 1, baseEjectionMs: 1000 });
    const targets = ['a', 'b', 'c'].map(target);
    health.record('a', 'failure', 300); // until 1300
    health.record('b', 'failure', 100); // until 1100
    health.record('c', 'failure', 200); // until 1200
    const result = health.usable(targets, 500);
    expect(result.forced).toBe(targets[1]);
    expect(result.targets).toEqual([targets[1]]);
  });

  it('forces a busy half-open target before still-ejected ones, the first listed on a tie', () => {
    const health = new HealthTracker({ consecutiveFailures: 1, baseEjectionMs: 1000 });
    const targets = ['a', 'b', 'c'].map(target);
    health.record('a', 'failure', 0);
    health.record('b', 'failure', 0);
    health.record('c', 'failure', 0);
    expect(health.usable(targets, 10).forced).toBe(targets[0]);
    health.tryAcquireProbe('b', 1000);
    health.record('a', 'failure', 1000); // probe failed: until 3000
    health.record('c', 'failure', 1000); // probe failed: until 3000
    expect(health.usable(targets, 1000)).toEqual({ targets: [targets[1]], forced: targets[1] });
  });

  it('returns nothing for no targets', () => {
    expect(new HealthTracker().usable([], 0)).toEqual({ targets: [], forced: null });
  });
});

describe('HealthTracker.coolDown (429 with reset headers)', () => {
  it('keeps the target out until the reset without counting an ejection, then it is healthy', () => {
    const health = new HealthTracker();
    expect(health.coolDown('a', 2000)).toEqual({ type: 'eject', key: 'a', untilMs: 2000, reason: 'rate_limited', ejections: 0 });
    expect(health.state('a', 1999)).toBe('ejected');
    expect(health.tryAcquireProbe('a', 1999)).toBe(false);
    expect(health.usable([target('a'), target('b')], 1000).targets).toEqual([target('b')]);
    expect(health.snapshot(1000)[0]).toMatchObject({ state: 'ejected', ejectedUntilMs: 2000, ejections: 0, reason: 'rate_limited' });
    expect(health.state('a', 2000)).toBe('healthy');
    expect(health.snapshot(2000)[0]).toMatchObject({ state: 'healthy', ejectedUntilMs: null, reason: null });
  });

  it('only extends a cool-down', () => {
    const health = new HealthTracker();
    health.coolDown('a', 2000);
    expect(health.coolDown('a', 1500)).toBeNull();
    expect(health.coolDown('a', 3000)?.type).toBe('eject');
    expect(health.state('a', 2500)).toBe('ejected');
  });

  it('frees a half-open probe slot, and the target turns half-open again when the cool-down ends', () => {
    const health = new HealthTracker({ consecutiveFailures: 1, baseEjectionMs: 1000 });
    health.record('a', 'failure', 0);
    expect(health.tryAcquireProbe('a', 1000)).toBe(true);
    health.coolDown('a', 4000); // the probe got a 429
    expect(health.state('a', 3999)).toBe('ejected');
    expect(health.snapshot(3000)[0]).toMatchObject({ ejectedUntilMs: 4000, reason: 'rate_limited', ejections: 1 });
    expect(health.state('a', 4000)).toBe('half-open');
    expect(health.tryAcquireProbe('a', 4000)).toBe(true);
  });
});

describe('HealthTracker.snapshot', () => {
  it('describes every recorded target in first-seen order', () => {
    const health = new HealthTracker({ consecutiveFailures: 2, baseEjectionMs: 1000 });
    health.record('b', 'success', 0);
    health.record('b', 'failure', 0);
    health.record('a', 'failure', 0);
    health.record('a', 'failure', 10);
    expect(health.snapshot(20)).toEqual([
      { key: 'b', state: 'healthy', consecutiveFailures: 1, errorRate: 0.5, ejectedUntilMs: null, ejections: 0, reason: null },
      { key: 'a', state: 'ejected', consecutiveFailures: 2, errorRate: 1, ejectedUntilMs: 1010, ejections: 1, reason: 'consecutive_failures' },
    ]);
    expect(health.snapshot(1010)[1]).toMatchObject({ state: 'half-open', ejectedUntilMs: null, reason: 'consecutive_failures' });
  });
});

describe('HealthTracker options', () => {
  it.each([
    [{ consecutiveFailures: 0 }, /consecutiveFailures/],
    [{ errorRate: 0 }, /errorRate/],
    [{ errorRate: 1.5 }, /errorRate/],
    [{ windowSize: 5, minRequests: 6 }, /minRequests/],
    [{ baseEjectionMs: 2000, maxEjectionMs: 1000 }, /maxEjectionMs/],
    [{ windowSize: 2.5 }, /windowSize/],
  ])('rejects %o', (options, message) => {
    expect(() => new HealthTracker(options)).toThrow(message);
  });
});
