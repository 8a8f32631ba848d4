/**
 * What the collector loads on demand: the storage engine named by a URL, and the dashboard's files.
 * @module
 */
import type { DashboardAssets } from './options.js';
import type { CollectorStore } from './store/types.js';

/**
 * Opens the store a storage URL names.
 * @param url `sqlite:<path>` (`sqlite:./sluice.db`), `sqlite::memory:`, or `postgres://…`.
 * @throws TypeError for a URL naming no engine this build has.
 */
export async function openStorage(url: string): Promise<CollectorStore> {
  if (url.startsWith('sqlite:')) {
    const path = url.slice('sqlite:'.length).replace(/^\/\/(?=\/|\.)/, '');
    if (path === '') throw new TypeError("createCollector(): storage 'sqlite:' needs a path, like sqlite:./sluice.db or sqlite::memory:");
    const { sqliteStore } = await import('./store/sqlite.js');
    return sqliteStore(path);
  }
  const scheme = /^([a-z][a-z0-9+.-]*):/i.exec(url)?.[1] ?? '';
  throw new TypeError(`createCollector(): storage '${scheme === '' ? 'without a scheme' : `${scheme}:`}' is not supported by this build; use sqlite:<path> or sqlite::memory:, or pass a CollectorStore`);
}

/** The dashboard shipped with Sluice (its page, stylesheet and script are strings in its modules, loaded only when served). */
export async function loadDashboard(): Promise<DashboardAssets | null> {
  const { dashboardAsset } = await import('./dashboard/index.js');
  return dashboardAsset;
}
