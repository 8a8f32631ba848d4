/**
 * Marks plugin factories, so `createSluice({ use: [pii] })` (the factory, not its middleware) is
 * refused at construction with "call it: `pii()`" instead of failing every call.
 * @module
 */

/** The mark `createSluice` looks for (a registered symbol, so a dual ESM/CJS load agrees on it). */
export const PLUGIN_FACTORY = Symbol.for('sluice.pluginFactory');

/**
 * Marks a plugin factory with its name.
 * @param factory The factory function.
 * @param name Its name as users call it (`pii`, `cache`...).
 * @returns The same function.
 */
export function markPluginFactory<F extends (...args: never[]) => unknown>(factory: F, name: string): F {
  Object.defineProperty(factory, PLUGIN_FACTORY, { value: name });
  return factory;
}
