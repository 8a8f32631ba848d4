/**
 * The `sluice/helicone` entry: Helicone AI Gateway's YAML configuration read into a Sluice
 * configuration (`fromHeliconeConfig`). It is the only entry that loads the `yaml` parser.
 * The per-call Helicone headers are read by the core itself (`createSluice({ compat: { helicone: true } })`),
 * and the Helicone exporter lives in `sluice/exporters` (`heliconeExporter`).
 * @module
 */
export { fromHeliconeConfig, heliconeImportSource, parseHumantime } from './from-config.js';
export type { FromHeliconeOptions, HeliconeImport, HeliconePluginSpec } from './from-config.js';
