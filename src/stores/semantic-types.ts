/**
 * The store interface of the semantic cache: answers kept with the embedding of the prompt that
 * produced them, found again by cosine similarity within one namespace and one exact key. The
 * in-process store (`memory/semantic.ts`) and the PostgreSQL store (`postgres/semantic.ts`) implement
 * it. Stores import nothing of ours: they keep strings next to vectors, and the plugin decides what
 * the strings mean.
 * @module
 */
import type { MaybePromise } from './types.js';

/** One answer to keep, with where it may be found again. */
export interface SemanticEntry {
  /** The namespace (1 to 128 visible ASCII characters). */
  namespace: string;
  /**
   * What must match exactly besides the prompt's meaning (model, tools, parameters...), as an opaque
   * string of at most a few dozen characters: only entries of the same key are compared.
   */
  key: string;
  /** The prompt's embedding, unit length (the plugin normalises it), so cosine similarity is a dot product. */
  vector: Float32Array;
  /** The answer, as the plugin encoded it. */
  value: string;
}

/** What {@link SemanticStore.search} looks for. */
export interface SemanticQuery {
  /** The namespace to look in. */
  namespace: string;
  /** The exact key; entries of another key are never compared. */
  key: string;
  /** The prompt's embedding, unit length. Entries of another dimension never match. */
  vector: Float32Array;
  /** The lowest cosine similarity that counts as a match, in (0, 1]. */
  minSimilarity: number;
}

/** The best stored answer for a query. */
export interface SemanticMatch {
  /** The stored answer. */
  value: string;
  /** Its cosine similarity to the query, at least `minSimilarity` (up to rounding). */
  similarity: number;
}

/** How {@link SemanticStore.add} keeps an answer. */
export interface SemanticAddOptions {
  /** How long the answer lives, in ms. */
  ttlMs: number;
}

/**
 * Where the semantic cache keeps answers. {@link search} returns the most similar live entry of the
 * same namespace and key whose similarity reaches `minSimilarity` (on a tie, the newest), or `null`.
 * A store bounds what it keeps and evicts on its own terms; expired entries are never returned.
 * @example
 * const store: SemanticStore = memorySemanticStore({ maxEntries: 2000 });
 * await store.add({ namespace: 'default', key: 'k1', vector, value: '…' }, { ttlMs: 3_600_000 });
 * await store.search({ namespace: 'default', key: 'k1', vector, minSimilarity: 0.95 }); // { value: '…', similarity: 1 }
 */
export interface SemanticStore {
  /**
   * Finds the most similar stored answer.
   * @param query Namespace, key, vector and threshold.
   * @returns The best match at or above the threshold, or `null`.
   */
  search(query: SemanticQuery): MaybePromise<SemanticMatch | null>;
  /**
   * Keeps an answer.
   * @param entry Where it lives, its vector and its text.
   * @param options Its TTL.
   * @returns Whether it was stored (a store may refuse an entry too large to keep).
   */
  add(entry: SemanticEntry, options: SemanticAddOptions): MaybePromise<boolean>;
  /**
   * Removes every answer of a namespace.
   * @param namespace The namespace.
   */
  clear(namespace: string): MaybePromise<void>;
}
