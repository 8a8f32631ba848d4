/**
 * User-supplied regex rules, shared by `pii()` and `guard()` (not a plugin): compiled once, global,
 * and refused with a readable issue when invalid or when they match the empty string.
 * @module
 */
import type { ConfigIssue } from '../core/errors.js';

/**
 * Compiles a custom pattern into a global regex, or reports why it cannot be used.
 * @param regex A `RegExp` (its flags are kept, `g` added, `y` dropped) or a source string.
 * @param path Where it was given, for the issue.
 * @param issues Where a problem is reported.
 * @param stringFlags The flags of a pattern given as a string, besides `g`.
 * @returns The regex, or `null` after reporting the problem.
 * @example
 * const issues: ConfigIssue[] = [];
 * compilePattern('ACME-\\d+', 'pii().patterns[0].regex', issues, ''); // /ACME-\d+/g
 */
export function compilePattern(regex: RegExp | string, path: string, issues: ConfigIssue[], stringFlags: string): RegExp | null {
  let compiled: RegExp;
  try {
    compiled = typeof regex === 'string' ? new RegExp(regex, `g${stringFlags}`) : new RegExp(regex.source, `${regex.flags.replace(/[gy]/g, '')}g`);
  } catch (error) {
    issues.push({ path, message: `invalid regular expression: ${error instanceof Error ? error.message : String(error)}` });
    return null;
  }
  if (compiled.test('')) {
    issues.push({ path, message: 'the pattern matches the empty string; it would match everywhere' });
    return null;
  }
  compiled.lastIndex = 0;
  return compiled;
}
