import { afterEach, describe, expect, it } from 'vitest';
import { createCollector } from '../../src/collector/server.js';
import { hashKey } from '../../src/collector/keys.js';
import { isLoopback, redactStorageUrl } from '../../src/collector/options.js';
import { makeRecord } from '../helpers/record.js';
import { MemoryStore } from './memory-store.js';
import { ADMIN_KEY, closeAll, INGEST_KEY, READ_KEY, start } from './helpers.js';

afterEach(closeAll);

describe('collector keys', () => {
  it('refuses one key given two roles, and a short key, without printing it', async () => {
    await expect(createCollector({ storage: new MemoryStore(), ingestKeys: [INGEST_KEY], readKeys: [INGEST_KEY] })).rejects.toThrow(/same key is given as an ingest key and a read key/);
    await expect(createCollector({ storage: new MemoryStore(), ingestKeys: [hashKey(READ_KEY)], readKeys: [READ_KEY] })).rejects.toThrow(/same key/);
    const short = createCollector({ storage: new MemoryStore(), readKeys: ['tiny-key'] });
    await expect(short).rejects.toThrow(/read key must have at least 16 characters/);
    await expect(short).rejects.not.toThrow(/tiny-key/);
  });

  it('accepts keys given as sha256 digests', async () => {
    const running = await start({ ingestKeys: [hashKey(INGEST_KEY)], readKeys: [hashKey(READ_KEY)], adminKeys: [] });
    expect((await running.ingest({ records: [makeRecord()] })).status).toBe(200);
    expect((await running.get('/v1/records')).status).toBe(200);
  });

  it('never puts a key or the storage password in its log', async () => {
    const running = await start();
    await running.ingest({ records: [makeRecord()] });
    await running.get('/v1/records');
    await running.get('/v1/records', { authorization: 'Bearer wrong-key-000000000000000' });
    const logged = JSON.stringify(running.logs);
    for (const secret of [INGEST_KEY, READ_KEY, ADMIN_KEY, 'wrong-key']) expect(logged).not.toContain(secret);
    expect(redactStorageUrl('postgres://sluice:hunter2@db:5432/sluice')).toBe('postgres://sluice:***@db:5432/sluice');
  });
});

describe('open reads', () => {
  it('reads without a key on loopback, while ingest and erasure still need their keys', async () => {
    const running = await start({ open: true });
    expect((await running.get('/v1/records', {})).status).toBe(200);
    expect((await running.get('/v1/records', { authorization: 'Bearer wrong-key-000000000000000' })).status).toBe(401);
    expect((await running.ingest({ records: [makeRecord()] }, {})).status).toBe(401);
    expect((await fetch(`${running.url}/v1/users/u/records`, { method: 'DELETE' })).status).toBe(401);
  });

  it('is refused on a host that is not loopback', async () => {
    const collector = await createCollector({ storage: new MemoryStore(), open: true, dashboard: false });
    await expect(collector.listen({ port: 0, host: '0.0.0.0' })).rejects.toThrow(/loopback host only, not on '0.0.0.0'/);
    await expect(collector.listen({ port: 0, host: '::' })).rejects.toThrow(/loopback/);
    await collector.close();
    expect(['127.0.0.1', '127.1.2.3', '::1', '[::1]', 'localhost'].every(isLoopback)).toBe(true);
    expect(['0.0.0.0', '::', '10.0.0.1', '128.0.0.1', 'example.com'].some(isLoopback)).toBe(false);
  });
});

describe('CORS', () => {
  it('is closed by default: no CORS header, a cross-origin call refused', async () => {
    const running = await start();
    const response = await running.get('/v1/records', { authorization: `Bearer ${READ_KEY}`, origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
    const preflight = await fetch(`${running.url}/v1/records`, { method: 'OPTIONS', headers: { origin: 'https://evil.example', 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(403);
  });

  it("lets the dashboard's own origin through without CORS headers", async () => {
    const running = await start();
    const response = await running.get('/v1/records', { authorization: `Bearer ${READ_KEY}`, origin: running.url });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('answers the origins on its allow-list', async () => {
    const running = await start({ cors: ['https://ops.example.com'] });
    const preflight = await fetch(`${running.url}/v1/records`, { method: 'OPTIONS', headers: { origin: 'https://ops.example.com', 'access-control-request-method': 'GET' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
    expect(preflight.headers.get('access-control-allow-headers')).toContain('authorization');
    const response = await running.get('/v1/records', { authorization: `Bearer ${READ_KEY}`, origin: 'https://ops.example.com' });
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('https://ops.example.com');
    await expect(createCollector({ storage: new MemoryStore(), cors: ['*'] })).rejects.toThrow(/exact origin/);
  });
});

describe('the dashboard files', () => {
  it('are served without a key under a strict Content-Security-Policy and nosniff', async () => {
    const page = '<!doctype html><script src="/app.js"></script>';
    const running = await start({ dashboard: (path) => (path === '/' ? { body: page, contentType: 'text/html; charset=utf-8' } : null) });
    const response = await fetch(`${running.url}/`);
    expect(response.status).toBe(200);
    expect(await response.text()).toBe(page);
    const csp = response.headers.get('content-security-policy')!;
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("script-src 'self'");
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect((await fetch(`${running.url}/missing.js`)).status).toBe(404);
    // API answers carry nosniff too, and are never cached.
    const api = await running.get('/v1/records');
    expect(api.headers.get('x-content-type-options')).toBe('nosniff');
    expect(api.headers.get('cache-control')).toBe('no-store');
  });
});

describe('listen()', () => {
  it('rejects when the port is taken, and may be called again', async () => {
    const running = await start();
    const port = Number(new URL(running.url).port);
    const second = await createCollector({ storage: new MemoryStore(), dashboard: false });
    await expect(second.listen({ port, host: '127.0.0.1' })).rejects.toThrow(/EADDRINUSE/);
    const { url } = await second.listen({ port: 0, host: '127.0.0.1' });
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await second.close();
  });
});
