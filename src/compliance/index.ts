/**
 * Compliance controls, loaded on demand when `audit`, `retention: 'none'` or `residency` is set
 * (docs/compliance.md): the audit trail's writer, zero retention's request rules, and residency for
 * calls no router sees. `createSluice` puts the returned middleware outermost; calls wait for it to load.
 * @module
 */
import type { ResolvedConfig } from '../config/parse.js';
import type { SluiceEmitter } from '../events/emitter.js';
import type { Middleware, Next, PluginLifecycle } from '../core/types.js';
import type { CallContext } from '../core/context.js';
import { AuditTrail, startEvent } from '../audit/trail.js';
import { applyZeroRetention } from './retention.js';
import { residencyOf } from '../core/residency.js';

/** The compliance middleware with its lifecycle (the audit trail's flush and close). */
export type ComplianceMiddleware = Middleware & Required<Pick<PluginLifecycle, 'flush' | 'close'>>;

/**
 * Builds the compliance middleware, and starts the audit trail (its first event: the configuration).
 * @param config The resolved configuration, `compliance` set.
 * @param events The instance's emitter, whose policy decisions the trail writes.
 * @returns The middleware, with `flush()` and `close()` for the trail.
 */
export function createCompliance(config: ResolvedConfig, events: SluiceEmitter): ComplianceMiddleware {
  const given = config.compliance ?? {};
  let trail: AuditTrail | null = null;
  if (given.audit !== undefined) {
    trail = new AuditTrail({ exporters: config.auditExporters, hmacKey: given.audit.hmacKey, previousHash: given.audit.previousHash, events });
    trail.append('audit:start', startEvent(given, config.secrets));
    trail.listen(events);
  }
  // With routing configured the router enforces residency (it sees every target); without, every call
  // goes to the SDK's own URL, whose region Sluice cannot know: a restricted call is refused.
  const residency = config.routing ? null : residencyOf(config);
  const run = async function compliance(ctx: CallContext, next: Next): Promise<Response> {
    if (config.zeroRetention) applyZeroRetention(ctx);
    const policy = residency?.forCall(ctx) ?? null;
    if (policy !== null && ctx.operation !== 'models') throw policy.refusal('the call goes to the URL the SDK chose, whose region is unknown (configure providers with a region)');
    return next(ctx);
  };
  return Object.assign(run, {
    flush: async () => {
      await trail?.flush();
    },
    close: async () => {
      await trail?.close();
    },
  });
}
