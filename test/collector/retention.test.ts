import { afterEach, describe, expect, it, vi } from 'vitest';
import type { CollectorLogEntry } from '../../src/collector/options.js';
import type { CallRecord } from '../../src/events/record.js';
import { makeRecord } from '../helpers/record.js';
import { closeAll, start } from './helpers.js';

afterEach(async () => {
  vi.useRealTimers();
  await closeAll();
});

const DAY = 86_400_000;
const NOW = 1_800_000_000_000;

describe('retention', () => {
  it('deletes records older than the retention on its schedule, as a query then shows', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const swept: CollectorLogEntry[] = [];
    let onSweep: (() => void) | undefined;
    const running = await start({
      retention: '30d',
      retentionIntervalMs: 60_000,
      now: () => NOW,
      log: (entry) => {
        if (entry.message !== 'retention sweep') return;
        swept.push(entry);
        onSweep?.();
      },
    });
    const old = makeRecord({ startedAt: NOW - 31 * DAY });
    const fresh = makeRecord({ startedAt: NOW - 29 * DAY });
    expect((await running.ingest({ records: [old, fresh] })).status).toBe(200);
    const listed = async () => ((await (await running.get('/v1/records')).json()) as { records: CallRecord[] }).records.map((record) => record.id);
    expect(await listed()).toEqual([fresh.id, old.id]);
    const next = new Promise<void>((resolve) => (onSweep = resolve));
    await vi.advanceTimersByTimeAsync(60_000);
    await next;
    expect(swept.at(-1)).toMatchObject({ deleted: 1 });
    expect(await listed()).toEqual([fresh.id]);
  });

  it('sweeps on demand, and does nothing without a retention', async () => {
    const kept = await start({ now: () => NOW });
    await kept.ingest({ records: [makeRecord({ startedAt: 0 })] });
    expect(await kept.collector.sweep()).toBe(0);
    expect(kept.store.records.size).toBe(1);
    const running = await start({ retention: '12h', now: () => NOW });
    await running.ingest({ records: [makeRecord({ startedAt: NOW - 13 * 3_600_000 }), makeRecord({ startedAt: NOW - 11 * 3_600_000 })] });
    expect(await running.collector.sweep()).toBe(1);
    expect(running.store.records.size).toBe(1);
  });

  it('refuses a retention it cannot read', async () => {
    await expect(start({ retention: '30 days' })).rejects.toThrow(/retention must be a period like '30d'/);
    await expect(start({ retention: '0d' })).rejects.toThrow(/retention/);
  });

  it('leaves no timer behind after close()', async () => {
    vi.useFakeTimers({ toFake: ['setInterval', 'clearInterval'] });
    const running = await start({ retention: '1d' });
    expect(vi.getTimerCount()).toBe(1);
    await running.collector.close();
    expect(vi.getTimerCount()).toBe(0);
  });
});
