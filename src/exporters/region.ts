/**
 * An exporter for the records of calls served in some regions only, so records are stored where the
 * call was allowed to go (data residency).
 * @module
 */
import type { CallRecord } from '../events/record.js';
import { regionMatches } from '../wire/regions.js';
import type { Exporter } from './types.js';

/** Options of {@link regionExporter}. */
export interface RegionExporterOptions {
  /** Regions or geographies (`'eu'`, `'eu-west-1'`): a record goes through when `record.region` matches one. */
  regions: readonly string[];
  /** Where those records go. */
  exporter: Exporter;
  /** Also pass records whose region is unknown (`record.region: null`: refusals, unrouted calls). @default false */
  includeUnknown?: boolean;
}

/**
 * Wraps an exporter so it receives only the records of calls served in the given regions. Give each
 * region its own: `exporters: [regionExporter({ regions: ['eu'], exporter: euSink }), regionExporter({ regions: ['us'], exporter: usSink })]`
 * (each behind its own queue, so one region's outage never delays another's).
 * @param options The regions and the exporter.
 * @returns An exporter named `<name>@<regions>`.
 * @example
 * import { otlpExporter, regionExporter } from 'sluice/exporters';
 * createSluice({ exporters: [regionExporter({ regions: ['eu'], exporter: otlpExporter({ url: 'https://otel.eu.example' }) })] });
 */
export function regionExporter(options: RegionExporterOptions): Exporter {
  const { regions, exporter } = options;
  if (!Array.isArray(regions) || regions.length === 0 || !regions.every((region) => typeof region === 'string' && region !== '')) {
    throw new TypeError('regionExporter().regions: expected a non-empty list of regions, e.g. ["eu"]');
  }
  if (typeof exporter?.export !== 'function') throw new TypeError('regionExporter().exporter: expected an exporter (an object with an export() method)');
  const includeUnknown = options.includeUnknown ?? false;
  const wanted = (record: CallRecord): boolean => (record.region === null ? includeUnknown : regionMatches(record.region, regions));
  return {
    name: `${exporter.name}@${regions.join(',')}`,
    async export(records, signal) {
      const mine = records.filter(wanted);
      if (mine.length > 0) await exporter.export(mine, signal);
    },
    async close() {
      await exporter.close?.();
    },
  };
}
