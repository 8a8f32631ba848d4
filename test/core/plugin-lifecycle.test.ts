import { describe, expect, it } from 'vitest';
import { createSluice } from '../../src/core/sluice.js';
import { budget, cache } from '../../src/plugins/index.js';
import type { CacheStore } from '../../src/stores/types.js';
import { memoryCacheStore } from '../../src/stores/index.js';
import type { MockProvider } from '../../src/testing/mock-provider.js';
import { clientFor, messages, rejection, useMock } from '../helpers/sluice.js';

let mock: MockProvider;
useMock((created) => (mock = created));

describe('plugins finish their work on flush() and close() (issue 11)', () => {
  it('sluice.flush() waits for budget charges: spend is visible right after it', async () => {
    const spend = budget({ budgets: [{ scope: 'global', limitUsd: 100, period: 'day' }] });
    const sluice = createSluice({ use: [spend] });
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    await sluice.flush();
    expect(await spend.spent('global')).toBeGreaterThan(0);
    await sluice.close();
  });

  it('sluice.flush() waits for cache writes, even to a slow store', async () => {
    const inner = memoryCacheStore();
    let releaseWrite: () => void = () => {};
    const slow: CacheStore = {
      get: (key) => inner.get(key),
      delete: (key) => inner.delete(key),
      add: async (key, value, options) => {
        await new Promise<void>((resolve) => (releaseWrite = resolve));
        return inner.add(key, value, options);
      },
    } as CacheStore;
    const sluice = createSluice({ use: [cache({ store: slow, storeTimeoutMs: 60_000 })] });
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    let flushed = false;
    const flushing = sluice.flush().then(() => (flushed = true));
    await new Promise((resolve) => setImmediate(resolve));
    expect(flushed).toBe(false);
    releaseWrite();
    await flushing;
    expect(flushed).toBe(true);
    await clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages });
    expect(mock.requests).toHaveLength(1);
    await sluice.close();
  });

  it('after close(), calls are refused with a 503 naming it, and nothing reaches the provider', async () => {
    const sluice = createSluice();
    await sluice.close();
    const error = await rejection(clientFor(sluice, mock.baseURL).chat.completions.create({ model: 'gpt-4o-mini', messages }));
    expect((error as { status?: number }).status).toBe(503);
    expect(String((error as Error).message)).toMatch(/sluice\.close\(\)/);
    await expect(sluice.fetch(`${mock.url}/v1/files`)).rejects.toThrow(TypeError);
    expect(mock.requests).toHaveLength(0);
  });
});
