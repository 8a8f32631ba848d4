/**
 * Checks the callback objects of a configuration and resolves LiteLLM's method names
 * (`async_log_success_event`...) to Sluice's (`logSuccessEvent`...), bound to their object.
 * @module
 */
import type { ConfigIssue } from '../core/errors.js';
import type { CallbackMethod, ResolvedCallbacks, SluiceCallbacks } from '../core/callbacks.js';
import { nearest } from './issues.js';

/** `logSuccessEvent` -> `log_success_event`. */
const snake = (name: string): string => name.replace(/[A-Z]/g, (letter) => `_${letter.toLowerCase()}`);
/**
 * Every accepted name, to its method: the Sluice name, LiteLLM's `async_` name (`async_pre_call_hook`,
 * `async_log_success_event`) and, for logging methods, LiteLLM's sync name (`log_success_event`).
 */
const METHOD = new Map<string, CallbackMethod>(
  ('logPreApiCall logPostApiCall logStreamEvent logSuccessEvent logFailureEvent preCallHook postCallSuccessHook postCallFailureHook'.split(' ') as CallbackMethod[]).flatMap((method) =>
    [method, `async_${snake(method)}`, ...(method.startsWith('log') ? [snake(method)] : [])].map((name) => [name, method] as const),
  ),
);
/** LiteLLM proxy hooks Sluice does not run yet: accepting them would silently never call them. */
const UNSUPPORTED = 'moderationHook postCallStreamingHook postCallStreamingIteratorHook'.split(' ').flatMap((name) => [name, `async_${snake(name)}`]);
const KNOWN = [...METHOD.keys(), 'failOpen'];

/** Every key of a class instance: its own, then its prototypes' methods. */
function instanceKeys(value: object): string[] {
  const keys = new Set(Object.keys(value));
  for (let proto: object | null = Object.getPrototypeOf(value) as object | null; proto !== null && proto !== Object.prototype; proto = Object.getPrototypeOf(proto) as object | null) {
    for (const key of Object.getOwnPropertyNames(proto)) if (key !== 'constructor') keys.add(key);
  }
  return [...keys];
}

/**
 * Resolves one callback object. A plain object may hold only callback methods and `failOpen`; a class
 * instance may also hold fields and helper methods, but a method named like a callback (a typo) is refused.
 * @param value The object as configured.
 * @param path Its path in the config, for messages.
 * @param issues Where problems go.
 * @returns The resolved callbacks, or `undefined` when `value` has a problem.
 */
export function resolveCallbacks(value: SluiceCallbacks, path: string, issues: ConfigIssue[]): ResolvedCallbacks | undefined {
  const source = value as Record<string, unknown>;
  const proto: unknown = Object.getPrototypeOf(value);
  const plain = proto === Object.prototype || proto === null;
  const resolved: Partial<Record<CallbackMethod, (...args: never[]) => unknown>> = {};
  const names: Partial<Record<CallbackMethod, string>> = {};
  const before = issues.length;
  for (const key of plain ? Object.keys(value) : instanceKeys(value)) {
    const method = METHOD.get(key);
    const given = source[key];
    if (method === undefined) {
      if (UNSUPPORTED.includes(key)) {
        issues.push({ path: `${path}.${key}`, message: `LiteLLM's ${key} is not supported yet; see docs/callbacks.md for what covers it` });
      } else if (key === 'failOpen') {
        if (typeof given !== 'boolean') issues.push({ path: `${path}.failOpen`, message: 'expected true or false' });
      } else {
        const suggestion = nearest(key, KNOWN);
        if (plain || (typeof given === 'function' && suggestion !== undefined)) {
          issues.push({ path: `${path}.${key}`, message: `unknown callback key${suggestion === undefined ? '' : `; did you mean "${suggestion}"?`}` });
        }
      }
      continue;
    }
    if (typeof given !== 'function') {
      issues.push({ path: `${path}.${key}`, message: 'expected a function' });
    } else if (names[method] !== undefined) {
      issues.push({ path: `${path}.${key}`, message: `"${names[method]}" and "${key}" are one method here; keep one` });
    } else {
      names[method] = key;
      const fn = given as (...args: unknown[]) => unknown;
      resolved[method] = (...args: unknown[]) => fn.apply(value, args);
    }
  }
  if (issues.length > before) return undefined;
  return Object.freeze({ ...resolved, failOpen: source['failOpen'] === true, names: Object.freeze(names) }) as ResolvedCallbacks;
}
