// Every entry's declarations resolve and type-check from a consumer. smoke.sh compiles this file as
// .mts and .cts under node16 and nodenext, as .ts under bundler and under node10 (`moduleResolution: "node"`,
// which ignores `exports`; `typesVersions` maps the subpaths there).
import { createSluice, type CallRecord, type SluiceConfig } from 'sluice';
import { consoleExporter, type Exporter } from 'sluice/exporters';
import { jsonlExporter } from 'sluice/exporters/node';
import { createMockProvider, makeContext } from 'sluice/testing';
import { listProviders, type ProviderInfo } from 'sluice/providers';
import { interceptGlobalFetch } from 'sluice/intercept';
import { cache, pii, type CacheOptions } from 'sluice/plugins';
import { memoryCacheStore, type CacheStore } from 'sluice/stores';
import { redisCacheStore } from 'sluice/stores/redis';
import { postgresSemanticStore } from 'sluice/stores/postgres';
import { installSluiceDispatcher } from 'sluice/undici';
import { nodeTransport, type NodeTransportOptions } from 'sluice/node';

const config: SluiceConfig = { models: { fast: { target: 'local/gpt-4o-mini' } }, providers: { local: { kind: 'openai', baseURL: 'http://127.0.0.1:9000/v1' } } };
const options: CacheOptions = { ttl: '10m' };
const store: CacheStore = memoryCacheStore({ maxEntries: 10 });
const exporter: Exporter = consoleExporter();
const sluice = createSluice({ ...config, use: [pii(), cache({ ...options, store })], exporters: [exporter] });
sluice.on('request:end', ({ record }: { record: CallRecord }) => void record.costUsd);
const transportOptions: NodeTransportOptions = { connectionsPerOrigin: 16, timeouts: { connectMs: 5_000 }, proxy: 'env' };
const viaNode = createSluice({ ...config, fetch: nodeTransport(transportOptions) });
const info: ProviderInfo | undefined = listProviders()[0];
const functions: ReadonlyArray<(...args: never[]) => unknown> = [jsonlExporter, createMockProvider, makeContext, interceptGlobalFetch, redisCacheStore, postgresSemanticStore, installSluiceDispatcher];
export { sluice, viaNode, info, functions };
