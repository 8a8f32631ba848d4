/**
 * Calls to the collector's query API with the read key in the `Authorization` header (never in a URL),
 * resolved relative to the page so a dashboard served under a path prefix still finds its API.
 * @module
 */

const KEY_ITEM = 'sluice.readKey';

/** The collector refused the read key (or asked for one). */
export class AuthError extends Error {
  override name = 'AuthError';
  /**
   * @param status 401 or 403.
   * @param hadKey Whether a key was sent (so the prompt can say it was refused).
   */
  constructor(
    readonly status: number,
    readonly hadKey: boolean,
  ) {
    super(hadKey ? `the collector refused this read key (${status})` : 'this collector needs a read key');
  }
}

/** Any other failed answer. */
export class ApiError extends Error {
  override name = 'ApiError';
  /**
   * @param status The HTTP status, 0 when no answer came.
   * @param message What the collector said.
   */
  constructor(
    readonly status: number,
    message: string,
  ) {
    super(message);
  }
}

/** The read key of this tab (sessionStorage: gone when the tab closes), or `null`. */
export function readKey(): string | null {
  try {
    return sessionStorage.getItem(KEY_ITEM);
  } catch {
    return null;
  }
}

/**
 * Keeps the read key for this tab, or forgets it.
 * @param key The key, or `null` to forget it.
 */
export function storeKey(key: string | null): void {
  try {
    if (key === null) sessionStorage.removeItem(KEY_ITEM);
    else sessionStorage.setItem(KEY_ITEM, key);
  } catch {
    // Storage disabled: the key lives until the page reloads.
  }
}

/**
 * Fetches a path of the collector with the read key.
 * @param path A relative path such as `v1/records?limit=50`.
 * @param signal Aborts the call when the page changes.
 */
export async function request(path: string, signal?: AbortSignal): Promise<Response> {
  const key = readKey();
  const headers: Record<string, string> = { accept: path.startsWith('v1/tail') ? 'text/event-stream' : 'application/json' };
  if (key) headers.authorization = `Bearer ${key}`;
  let response: Response;
  try {
    response = await fetch(new URL(path, document.baseURI), { headers, cache: 'no-store', credentials: 'same-origin', signal: signal ?? null });
  } catch (error) {
    if (signal?.aborted) throw error;
    throw new ApiError(0, 'the collector could not be reached');
  }
  if (response.status === 401 || response.status === 403) {
    await response.body?.cancel();
    throw new AuthError(response.status, key !== null);
  }
  if (!response.ok) {
    const text = await response.text().catch(() => '');
    throw new ApiError(response.status, errorMessage(text) ?? `the collector answered ${response.status}`);
  }
  return response;
}

function errorMessage(text: string): string | null {
  try {
    const body: unknown = JSON.parse(text);
    if (typeof body !== 'object' || body === null) return null;
    const error = (body as { error?: unknown }).error;
    if (typeof error === 'string') return error;
    if (typeof error === 'object' && error !== null && typeof (error as { message?: unknown }).message === 'string') return (error as { message: string }).message;
    return null;
  } catch {
    return null;
  }
}

/**
 * Fetches and parses a JSON answer.
 * @param path A relative path.
 * @param signal Aborts the call when the page changes.
 */
export async function getJson<T>(path: string, signal?: AbortSignal): Promise<T> {
  const response = await request(path, signal);
  return (await response.json()) as T;
}
