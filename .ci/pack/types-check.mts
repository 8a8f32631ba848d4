// Type-checks the published declarations from a consumer's point of view.
import OpenAI from 'openai';
import { createSluice, type CallRecord, type Middleware, type SluiceConfig } from 'sluice';
import type { Exporter } from 'sluice/exporters';

const config: SluiceConfig = { providers: { local: { kind: 'openai', baseURL: 'http://127.0.0.1:9000/v1', apiKey: 'k' } }, models: { fast: { target: 'local/gpt-4o-mini' } } };
const tagged: Middleware = async (ctx, next) => {
  ctx.tags = [...ctx.tags, 'typed'];
  return next(ctx);
};
const exporter: Exporter = { name: 'memory', export: async (records: readonly CallRecord[]) => void records.length };
const sluice = createSluice({ ...config, use: [tagged], exporters: [exporter] });
sluice.on('request:end', ({ record }) => {
  const cost: number | null = record.costUsd;
  void cost;
});
const client = new OpenAI({ fetch: sluice.fetch, apiKey: 'k' });
void client;

import { cache, pii } from 'sluice/plugins';
import { listProviders } from 'sluice/providers';
const withPlugins = createSluice({ use: [pii({ mode: 'redact' }), cache({ ttl: '10m' })] });
const first: string | undefined = listProviders()[0]?.name;
void withPlugins;
void first;
