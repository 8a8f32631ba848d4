/**
 * Marks stores that keep everything in this process's memory (nothing shared, nothing on disk), so
 * plugins can tell them apart under zero data retention (`retention: 'none'`).
 * @module
 */

/** The mark (a registered symbol, so a dual ESM/CJS load agrees on it). */
export const IN_MEMORY_STORE = Symbol.for('sluice.inMemoryStore');

/**
 * Whether a store keeps its data in this process's memory only (a Sluice memory store).
 * @param store Any store.
 */
export function isInMemoryStore(store: unknown): boolean {
  return typeof store === 'object' && store !== null && (store as Record<symbol, unknown>)[IN_MEMORY_STORE] === true;
}
