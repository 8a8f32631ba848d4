/**
 * What the caches say under zero data retention (`retention: 'none'`), through `PluginLifecycle.retains`.
 * @module
 */
import { isInMemoryStore } from '../stores/memory/marker.js';

/**
 * The refusal of a cache under zero retention, or `undefined` when it is allowed: in memory, and
 * allowed explicitly with `zeroRetention: 'memory'`.
 * @param plugin The plugin's name (`cache`, `semanticCache`).
 * @param store Its store.
 * @param allowed Whether its options say `zeroRetention: 'memory'`.
 */
export function zeroRetentionRefusal(plugin: string, store: unknown, allowed: boolean): string | undefined {
  if (!isInMemoryStore(store)) return `${plugin}() keeps prompts and answers in a store outside this process; under retention: 'none' only a memory store is allowed, with ${plugin}({ zeroRetention: 'memory' })`;
  if (!allowed) return `${plugin}() keeps prompts and answers in memory for their TTL; under retention: 'none' allow it explicitly with ${plugin}({ zeroRetention: 'memory' }), or remove it`;
  return undefined;
}
