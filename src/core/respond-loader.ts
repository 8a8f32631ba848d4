/**
 * Loads the error renderers (`respond.ts`) on first need: Sluice's own error answers are the rare path,
 * so their code stays out of the core entry. Every caller is already asynchronous.
 * @module
 */
import type * as RespondModule from './respond.js';

let loading: Promise<typeof RespondModule> | null = null;

/**
 * The error renderers, loaded once per process (the import is idempotent; the promise is cached).
 * @returns The `respond.ts` module.
 */
export function loadRespond(): Promise<typeof RespondModule> {
  return (loading ??= import('./respond.js'));
}
