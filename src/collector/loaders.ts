/**
 * What the collector loads on demand: the storage engine named by a URL, and the dashboard's files.
 * @module
 */
import type { DashboardAssets } from './options.js';
import type { CollectorStore } from './store/types.js';

/**
 * Opens the store a storage URL names (each engine loads on demand).
 * @param url `sqlite:<path>` (`sqlite:./sluice.db`), `sqlite::memory:`, or `postgres://…`.
 * @throws TypeError for a URL naming no engine, without repeating a password it may hold.
 */
export async function openStorage(url: string): Promise<CollectorStore> {
  const { openStore, parseStorageUrl } = await import('./store/index.js');
  try {
    parseStorageUrl(url);
  } catch {
    const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url.trim())?.[1];
    throw new TypeError(`createCollector(): storage ${scheme === undefined ? 'without a scheme' : `'${scheme}:'`} is not supported; use sqlite:<path>, sqlite::memory: or postgres://user@host/database, or pass a CollectorStore`);
  }
  return openStore(url);
}

/** The dashboard shipped with Sluice (its page, stylesheet and script are strings in its modules, loaded only when served). */
export async function loadDashboard(): Promise<DashboardAssets | null> {
  const { dashboardAsset } = await import('./dashboard/index.js');
  return dashboardAsset;
}
