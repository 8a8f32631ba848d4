/**
 * `sluice/providers`: the provider catalog (endpoints, auth styles, documentation), the built-in
 * price tables, and the adapters that turn a provider and a model into an upstream URL and
 * credentials, for custom routing and tooling. Web platform only.
 * @module
 */
export { providerCatalog, type CatalogProvider, type ProviderKind } from './catalog.js';
export { providerInfo, listProviders, type ProviderInfo, type ListedProvider, type CatalogAuth } from './catalog-info.js';
export {
  providerWire,
  upstreamUrl,
  hasCredentials,
  applyStaticAuth,
  createAuthorizer,
  ANTHROPIC_VERSION,
  VERTEX_ANTHROPIC_VERSION,
  type Authorizer,
  type OutgoingRequest,
} from './adapter.js';
export { builtinPrices, findProviderPrice } from '../wire/prices/index.js';
export { openaiPrices } from '../wire/prices/openai.js';
export { anthropicPrices } from '../wire/prices/anthropic.js';
export { geminiPrices } from '../wire/prices/google.js';
export { fromGenaiPrices, fromLiteLLMPrices, type ForeignPrices } from '../wire/prices/foreign.js';
export {
  findPrice,
  computeCostUsd,
  resolvePrice,
  type ModelPrice,
  type PriceRates,
  type PriceTier,
  type PriceWindow,
  type PriceChange,
  type Pricing,
  type PriceTable,
  type TokenUsage,
} from '../wire/price.js';
