/**
 * The `sluice/audit` entry: verify an audit trail written by `createSluice({ audit })`, and the chain's
 * building blocks. Web platform only (WebCrypto). The CLI: `npx sluice audit verify <file>`.
 * @module
 */
export { verifyAuditTrail, type VerifyAuditOptions, type VerifyAuditResult } from './verify.js';
export { canonicalJson, type AuditEvent, type AuditEventBody } from './chain.js';
export { AUDITED_EVENTS, redactConfig } from './trail.js';
