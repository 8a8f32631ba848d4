/**
 * The `sluice/exporters` entry: the exporter contract, the batch queue they share, and the web-platform
 * exporters. Node-only exporters live in `sluice/exporters/node`.
 * @module
 */
export type { Exporter, ExportResult } from './types.js';
export { BatchQueue } from './batch-queue.js';
export type { BatchQueueOptions, DropReason } from './batch-queue.js';
export { consoleExporter } from './console.js';
export type { ConsoleExporterOptions } from './console.js';
export { otlpExporter } from './otlp/index.js';
export type { OtlpExporterOptions } from './otlp/index.js';
export { ExportError } from './export-error.js';
export { heliconeExporter, toHeliconeLog } from './helicone.js';
export type { HeliconeAsyncLog, HeliconeExporterOptions } from './helicone.js';
export { httpExporter } from './http.js';
export type { HttpExporterOptions } from './http.js';
export { regionExporter } from './region.js';
export type { RegionExporterOptions } from './region.js';
