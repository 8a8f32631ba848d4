import { describe, expect, it } from 'vitest';
import { formatInterval, parseRoute, rangeWindow, recordsQuery, routeHash, singleBucketInterval } from '../../../src/collector/dashboard/client/query.js';

describe('dashboard routes and queries', () => {
  it('reads pages and their parameters from the location hash', () => {
    expect(parseRoute('')).toEqual({ page: 'overview', id: null, params: {} });
    expect(parseRoute('#/log?model=gpt-4o&status=429')).toEqual({ page: 'log', id: null, params: { model: 'gpt-4o', status: '429' } });
    expect(parseRoute('#/records/call%2F1')).toEqual({ page: 'record', id: 'call/1', params: {} });
    expect(parseRoute('#/sessions/s-1')).toEqual({ page: 'session', id: 's-1', params: {} });
    expect(parseRoute('#/tail')).toEqual({ page: 'tail', id: null, params: {} });
    expect(parseRoute('#/nowhere')).toEqual({ page: 'overview', id: null, params: {} });
  });

  it('writes hashes that read back the same', () => {
    const hash = routeHash({ page: 'record', id: 'a b/c', params: {} });
    expect(hash).toBe('#/records/a%20b%2Fc');
    expect(parseRoute(hash).id).toBe('a b/c');
    expect(routeHash({ page: 'log', id: null, params: { user: 'u&1', model: '' } })).toBe('#/log?user=u%261');
  });

  it('builds the records query from filters, keeping only known, non-empty ones', () => {
    const query = recordsQuery({ provider: 'openai', model: '', user: 'alice', status: '500', bogus: 'x' }, { from: 1000, to: 2000 }, 'cur/1', 50);
    expect(query).toBe('from=1000&to=2000&provider=openai&user=alice&status=500&limit=50&cursor=cur%2F1');
    expect(recordsQuery({}, null, null, 25)).toBe('limit=25');
  });

  it('turns a preset into whole buckets, the last one holding now', () => {
    const now = Date.UTC(2026, 0, 1, 12, 30, 15);
    const window = rangeWindow('24h', now);
    expect(window.to).toBe(Date.UTC(2026, 0, 1, 13, 0));
    expect(window.from).toBe(window.to - 86_400_000);
    expect(window.intervalMs).toBe(1_800_000);
    expect(rangeWindow('24h', Date.UTC(2026, 0, 1, 12, 30)).to).toBe(Date.UTC(2026, 0, 1, 13, 0));
    for (const preset of ['1h', '6h', '24h', '7d', '30d'] as const) {
      const { from, to, intervalMs } = rangeWindow(preset, now);
      expect(from % intervalMs).toBe(0);
      expect(to).toBeGreaterThan(now);
      const buckets = (to - from) / intervalMs;
      expect(buckets).toBeGreaterThanOrEqual(24);
      expect(buckets).toBeLessThanOrEqual(72);
    }
  });

  it('spells intervals with the largest whole unit', () => {
    expect(formatInterval(60_000)).toBe('1m');
    expect(formatInterval(1_800_000)).toBe('30m');
    expect(formatInterval(86_400_000)).toBe('1d');
    expect(formatInterval(1500)).toBe('1500ms');
  });

  it('finds an interval whose one bucket holds the whole range, spelled in at most six digits of a unit', () => {
    const now = Date.UTC(2026, 11, 8, 0, 59, 30);
    const windows: Array<readonly [number, number]> = [[1_000, 2_000], [86_399_000, 86_401_000], [Date.UTC(2026, 0, 1) - 5, Date.UTC(2026, 0, 1) + 3_600_000]];
    // A boundary of 2^19 hours from the epoch (2029-10-22): every doubling of one hour lands on it.
    const deep = 2 ** 19 * 3_600_000;
    windows.push([deep - 1_800_000, deep + 1_800_000]);
    for (const preset of ['1h', '6h', '24h', '7d', '30d'] as const) for (let minute = 0; minute < 300; minute += 7) windows.push([rangeWindow(preset, now + minute * 60_000).from, rangeWindow(preset, now + minute * 60_000).to]);
    for (const [from, to] of windows) {
      const interval = singleBucketInterval(from, to);
      expect(Math.floor(from / interval)).toBe(Math.floor((to - 1) / interval));
      expect(interval).toBeGreaterThanOrEqual(to - from);
      expect(formatInterval(interval)).toMatch(/^\d{1,6}(s|m|h|d)$/);
    }
  });
});
