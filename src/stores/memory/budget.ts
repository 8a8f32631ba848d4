/**
 * An in-process {@link BudgetStore}: spend per budget-and-period key in an LRU map, each key dropped
 * once its period has ended. Web-platform only, so it runs wherever the plugins run. `budget()` uses
 * one by default, and one as its fallback when a shared store fails open.
 * @module
 */
import { LRUCache } from 'lru-cache';
import type { BudgetStore, SpendChange, SpendCharge, SpendTotal } from '../limits-types.js';

/** Options of {@link memoryBudgetStore}. */
export interface MemoryBudgetStoreOptions {
  /**
   * The most keys kept (one per budget, subject and period). Beyond it the least recently used key is
   * forgotten, which resets that subject's spend to zero: size it above the users and tags you expect.
   * @default 10000
   */
  maxKeys?: number;
}

/** A memory budget store, with counters for what it holds and what it forgot. */
export interface MemoryBudgetStore extends BudgetStore {
  /** Reads synchronously (see {@link BudgetStore.read}). */
  read(keys: readonly string[], nowMs: number): readonly SpendTotal[];
  /** Charges synchronously (see {@link BudgetStore.charge}). */
  charge(charges: readonly SpendCharge[], nowMs: number): readonly SpendChange[];
  /** Keys held (keys of ended periods not yet read may still count). */
  readonly size: number;
  /** Keys forgotten to stay within `maxKeys`, since creation. */
  readonly evictions: number;
  /** Forgets every key. */
  clear(): void;
}

interface Entry {
  spentUsd: number;
  unpricedCalls: number;
  expireAtMs: number;
}

/**
 * Creates an in-process spend store.
 * @param options Its bound.
 * @returns The store.
 * @throws {RangeError} when `maxKeys` is not an integer ≥ 1.
 * @example
 * import { budget, memoryBudgetStore } from 'sluice/plugins';
 * createSluice({ use: [budget({ store: memoryBudgetStore({ maxKeys: 100_000 }), budgets: [{ scope: 'user', limitUsd: 5, period: 'day' }] })] });
 */
export function memoryBudgetStore(options: MemoryBudgetStoreOptions = {}): MemoryBudgetStore {
  const maxKeys = options.maxKeys ?? 10_000;
  if (!Number.isSafeInteger(maxKeys) || maxKeys < 1) {
    throw new RangeError(`memoryBudgetStore().maxKeys: expected an integer >= 1, received ${String(options.maxKeys)}`);
  }
  let evictions = 0;
  const entries = new LRUCache<string, Entry>({
    max: maxKeys,
    dispose: (_value, _key, reason) => {
      if (reason === 'evict') evictions++;
    },
  });
  const live = (key: string, nowMs: number): Entry | undefined => {
    const entry = entries.get(key);
    if (entry !== undefined && entry.expireAtMs <= nowMs) {
      entries.delete(key);
      return undefined;
    }
    return entry;
  };

  return {
    get size() {
      return entries.size;
    },
    get evictions() {
      return evictions;
    },
    read(keys: readonly string[], nowMs: number): SpendTotal[] {
      return keys.map((key) => {
        const entry = live(key, nowMs);
        return entry === undefined ? { spentUsd: 0, unpricedCalls: 0 } : { spentUsd: entry.spentUsd, unpricedCalls: entry.unpricedCalls };
      });
    },
    charge(charges: readonly SpendCharge[], nowMs: number): SpendChange[] {
      return charges.map((charge) => {
        const entry = live(charge.key, nowMs);
        const previousUsd = entry?.spentUsd ?? 0;
        const next: Entry = {
          spentUsd: previousUsd + charge.usd,
          unpricedCalls: (entry?.unpricedCalls ?? 0) + charge.unpricedCalls,
          expireAtMs: charge.expireAtMs,
        };
        entries.set(charge.key, next);
        return { previousUsd, currentUsd: next.spentUsd };
      });
    },
    clear(): void {
      entries.clear();
    },
  };
}
