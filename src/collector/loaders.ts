/**
 * What the collector loads on demand: the storage engine named by a URL, and the dashboard's files.
 * @module
 */
import type { DashboardAssets } from './options.js';
import type { CollectorStore } from './store/types.js';

/**
 * Opens the store a storage URL names.
 * @param url `sqlite:<path>`, `sqlite::memory:` or `postgres://…`.
 */
export async function openStorage(url: string): Promise<CollectorStore> {
  throw new TypeError(`createCollector(): storage '${url.split(':')[0]}:' cannot be opened by this build; pass a CollectorStore`);
}

/** The dashboard shipped with Sluice (its page, stylesheet and script are strings in its modules, loaded only when served). */
export async function loadDashboard(): Promise<DashboardAssets | null> {
  const { dashboardAsset } = await import('./dashboard/index.js');
  return dashboardAsset;
}
