/**
 * The `sluice/exporters/node` entry: exporters that need Node built-ins.
 * @module
 */
export { jsonlExporter } from './jsonl.js';
export type { JsonlExporterOptions } from './jsonl.js';
