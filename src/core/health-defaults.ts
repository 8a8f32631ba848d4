/**
 * The defaults of `health`, in one place: the tracker (loaded with the router) fills them in, and
 * `createSluice` checks the cross-field rules against them, so a wrong combination fails at
 * construction rather than on the first routed call.
 * @module
 */

/** Default `health` settings. */
export const HEALTH_DEFAULTS = Object.freeze({
  consecutiveFailures: 5,
  errorRate: 0.5,
  windowSize: 20,
  minRequests: 10,
  baseEjectionMs: 30_000,
  maxEjectionMs: 300_000,
  resetEjectionsAfter: 20,
  probeTimeoutMs: 120_000,
  orderWindowMs: 30_000,
});
