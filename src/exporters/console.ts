/**
 * An exporter that prints one line per record, for development and quick debugging.
 * @module
 */
import type { CallRecord } from '../events/record.js';
import type { Exporter } from './types.js';

/** Options for {@link consoleExporter}. */
export interface ConsoleExporterOptions {
  /**
   * `line` prints a short human-readable summary without bodies; `json` prints the whole record
   * (bodies included, when recorded) as one JSON object per line.
   * @default 'line'
   */
  format?: 'line' | 'json';
  /**
   * Where each line goes; inject it to capture output in tests or send it to a logger.
   * @default console.log
   */
  log?: (line: string) => void;
}

/**
 * Creates an exporter that prints one line per record: a summary such as
 * `[sluice] 01J… openai/gpt-4o-mini 200 412ms in=12 out=48 $0.000031`, or JSON with `format: 'json'`.
 *
 * @param options - Output format and sink.
 * @example
 * ```ts
 * const queue = new BatchQueue(consoleExporter({ format: 'json', log: (line) => logger.info(line) }));
 * ```
 */
export function consoleExporter(options: ConsoleExporterOptions = {}): Exporter {
  const format = options.format ?? 'line';
  if (format !== 'line' && format !== 'json') {
    throw new RangeError(`consoleExporter().format: expected 'line' or 'json', got ${JSON.stringify(format)}`);
  }
  // Looked up per call, not captured, so a later console.log replacement (or spy) is honoured.
  const log = options.log ?? ((line: string) => console.log(line));
  const render = format === 'json' ? (record: CallRecord) => JSON.stringify(record) : formatRecordLine;
  return {
    name: 'console',
    async export(records) {
      for (const record of records) log(render(record));
    },
  };
}

/** `[sluice] <id> <provider/model> <status> <latencyMs>ms in=<tokens> out=<tokens> $<cost>`; bodies never appear. */
function formatRecordLine(record: CallRecord): string {
  const model = record.model ?? record.requestedModel ?? '-';
  const target = record.provider === null ? model : `${record.provider}/${model}`;
  // No HTTP status (network failure, abort): the outcome says more than a dash.
  const status = record.status ?? record.outcome;
  const inputTokens = record.usage.inputTokens ?? '-';
  const outputTokens = record.usage.outputTokens ?? '-';
  const cost = record.costUsd === null ? '-' : record.costUsd.toFixed(6);
  return `[sluice] ${record.id} ${target} ${status} ${Math.round(record.latencyMs)}ms in=${inputTokens} out=${outputTokens} $${cost}`;
}

