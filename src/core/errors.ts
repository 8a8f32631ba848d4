/**
 * Sluice's error hierarchy. Errors are branded with `Symbol.for('sluice.error')` so that
 * `isSluiceError` works even when the ESM and CommonJS builds are loaded side by side.
 * @module
 */

const BRAND = Symbol.for('sluice.error');

/** Options shared by every Sluice error. */
export interface SluiceErrorOptions {
  /** Whether retrying the same call could succeed. @default false */
  retryable?: boolean;
  /** The error that caused this one. */
  cause?: unknown;
  /** HTTP status used when the error is rendered as a response to the SDK. @default 500 */
  status?: number;
  /** When a retry could succeed, in ms; rendered as `retry-after-ms` and `retry-after`. */
  retryAfterMs?: number;
}

/** The base class of every error Sluice creates; carries a stable `code`. */
export class SluiceError extends Error {
  override name = 'SluiceError';
  /** A stable, machine-readable code such as `sluice_unknown_model`. */
  readonly code: string;
  /** Whether retrying the same call could succeed. */
  readonly retryable: boolean;
  /** HTTP status used when the error is rendered as a response to the SDK. */
  readonly status: number;
  /** When a retry could succeed, in ms; `null` when unknown or never. */
  readonly retryAfterMs: number | null;
  /** @internal */
  readonly [BRAND] = true;

  /**
   * @param code A stable code, `sluice_` followed by snake case.
   * @param message What went wrong and how to fix it.
   * @param options Retryability and cause.
   */
  constructor(code: string, message: string, options: SluiceErrorOptions = {}) {
    super(message, options.cause === undefined ? undefined : { cause: options.cause });
    this.code = code;
    this.retryable = options.retryable ?? false;
    this.status = options.status ?? 500;
    this.retryAfterMs = options.retryAfterMs ?? null;
  }
}

/** One problem found in a configuration, with the dotted path to the offending key. */
export interface ConfigIssue {
  /** Dotted path such as `providers.local.baseURL` (empty for the root). */
  path: string;
  /** What is wrong at that path. */
  message: string;
}

/** Thrown by `createSluice` (and plugin factories) when the configuration is invalid; lists every issue. */
export class SluiceConfigError extends SluiceError {
  override name = 'SluiceConfigError';
  /** Every problem found, each with its path. */
  readonly issues: readonly ConfigIssue[];

  /** @param issues Every problem found in the configuration. */
  constructor(issues: readonly ConfigIssue[]) {
    const lines = issues.map((issue) => `  ${issue.path === '' ? '(root)' : issue.path}: ${issue.message}`);
    super('sluice_invalid_config', `Invalid Sluice configuration:\n${lines.join('\n')}`);
    this.issues = issues;
  }
}

/**
 * Tells whether a value is an error created by Sluice, across module copies.
 * @param value Anything.
 * @returns `true` when `value` is a {@link SluiceError}.
 * @example
 * if (isSluiceError(error) && error.code === 'sluice_invalid_config') console.error(error.message);
 */
export function isSluiceError(value: unknown): value is SluiceError {
  return typeof value === 'object' && value !== null && (value as { [BRAND]?: unknown })[BRAND] === true;
}
