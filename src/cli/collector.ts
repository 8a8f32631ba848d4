/**
 * `sluice collector`: runs the collector (ingest, query API, live tail, dashboard) until SIGINT or
 * SIGTERM, then drains the write queue and closes the store. Every flag has an environment variable;
 * keys come from the environment or a file (one key per line), so they need not appear in `ps`.
 * @module
 */
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { parseArgs } from 'node:util';
import type { CliCommand } from './index.js';

/** One option of the command: its flag, environment variable and help line. */
interface FlagSpec {
  flag: string;
  env: string;
  type: 'string' | 'boolean';
  multiple?: boolean;
  help: string;
}

const FLAGS: readonly FlagSpec[] = [
  { flag: 'storage', env: 'SLUICE_COLLECTOR_STORAGE', type: 'string', help: 'where records are kept: sqlite:<path>, sqlite::memory: or postgres://… (default sqlite:./sluice.db)' },
  { flag: 'port', env: 'SLUICE_COLLECTOR_PORT', type: 'string', help: 'TCP port (default 4680; 0 picks a free one)' },
  { flag: 'host', env: 'SLUICE_COLLECTOR_HOST', type: 'string', help: 'interface to listen on (default 127.0.0.1)' },
  { flag: 'ingest-key', env: 'SLUICE_COLLECTOR_INGEST_KEYS', type: 'string', multiple: true, help: 'a key allowed to send records (repeatable; env: comma-separated)' },
  { flag: 'ingest-key-file', env: 'SLUICE_COLLECTOR_INGEST_KEY_FILE', type: 'string', help: 'a file of ingest keys, one per line (# comments)' },
  { flag: 'read-key', env: 'SLUICE_COLLECTOR_READ_KEYS', type: 'string', multiple: true, help: 'a key allowed to query and open the dashboard (repeatable; env: comma-separated)' },
  { flag: 'read-key-file', env: 'SLUICE_COLLECTOR_READ_KEY_FILE', type: 'string', help: 'a file of read keys, one per line' },
  { flag: 'admin-key', env: 'SLUICE_COLLECTOR_ADMIN_KEYS', type: 'string', multiple: true, help: "a key allowed to read and to erase a user's records (repeatable; env: comma-separated)" },
  { flag: 'admin-key-file', env: 'SLUICE_COLLECTOR_ADMIN_KEY_FILE', type: 'string', help: 'a file of admin keys, one per line' },
  { flag: 'retention', env: 'SLUICE_COLLECTOR_RETENTION', type: 'string', help: 'delete records older than this: 30d, 12h, 90m (default: keep everything)' },
  { flag: 'open', env: 'SLUICE_COLLECTOR_OPEN', type: 'boolean', help: 'reads without a key (loopback host only)' },
  { flag: 'cors-origin', env: 'SLUICE_COLLECTOR_CORS_ORIGINS', type: 'string', multiple: true, help: 'an origin allowed to call the API from a browser (repeatable; env: comma-separated)' },
  { flag: 'max-body-bytes', env: 'SLUICE_COLLECTOR_MAX_BODY_BYTES', type: 'string', help: 'largest ingest body, before and after gzip (default 16777216)' },
];

function help(): string {
  const rows = FLAGS.map((spec) => {
    const name = `--${spec.flag}${spec.type === 'string' ? ' <value>' : ''}`;
    return `  ${name.padEnd(28)} ${spec.help}\n  ${''.padEnd(28)} env ${spec.env}`;
  });
  return [
    'Usage: sluice collector [options]',
    '',
    'Runs the Sluice collector: POST /v1/records (ingest key), the query API and live tail (read key),',
    "DELETE /v1/users/:user/records (admin key), the dashboard at /. A flag wins over its variable.",
    '',
    'Options:',
    ...rows,
    `  ${'-h, --help'.padEnd(28)} this help`,
    '',
    'Example:',
    '  SLUICE_COLLECTOR_INGEST_KEY_FILE=/run/secrets/ingest SLUICE_COLLECTOR_READ_KEY_FILE=/run/secrets/read \\',
    '    npx sluice collector --storage sqlite:./sluice.db --port 4680 --retention 30d',
  ].join('\n');
}

/** A problem with the command line or the environment: printed with the usage hint, exit code 2. */
class UsageError extends Error {}

function list(values: readonly string[] | undefined, env: string | undefined): string[] {
  const given = values && values.length > 0 ? values : env ? env.split(',') : [];
  return given.map((value) => value.trim()).filter((value) => value !== '');
}

async function keysFrom(flag: string, values: string[], file: string | undefined): Promise<string[]> {
  if (file === undefined || file === '') return values;
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--${flag}-file: cannot read ${file} (${(error as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  const keys = text
    .split(/\r?\n/)
    .map((line) => line.trim())
    .filter((line) => line !== '' && !line.startsWith('#'));
  return [...values, ...keys];
}

function integer(flag: string, value: string | undefined, min: number, max: number): number | undefined {
  if (value === undefined || value === '') return undefined;
  if (!/^\d+$/.test(value) || Number(value) < min || Number(value) > max) throw new UsageError(`--${flag}: expected an integer from ${min} to ${max}, got '${value}'`);
  return Number(value);
}

function truthy(value: string | undefined): boolean {
  return value !== undefined && /^(1|true|yes|on)$/i.test(value.trim());
}

/** The `collector` command. */
export const command: CliCommand = {
  summary: 'run the collector: ingest, query API, live tail and dashboard',
  async run(argv) {
    let values: Record<string, string | boolean | Array<string | boolean> | undefined>;
    try {
      const options: Record<string, { type: 'string' | 'boolean'; multiple?: boolean; short?: string }> = { help: { type: 'boolean', short: 'h' } };
      for (const spec of FLAGS) options[spec.flag] = spec.multiple ? { type: spec.type, multiple: true } : { type: spec.type };
      values = parseArgs({ args: [...argv], options, strict: true, allowPositionals: false }).values;
    } catch (error) {
      process.stderr.write(`sluice collector: ${(error as Error).message}\n\nRun \`sluice collector --help\` for the options.\n`);
      return 2;
    }
    if (values['help'] === true) {
      process.stdout.write(`${help()}\n`);
      return 0;
    }
    const env = process.env;
    const text = (flag: string): string | undefined => {
      const value = values[flag];
      return typeof value === 'string' ? value : env[FLAGS.find((spec) => spec.flag === flag)!.env];
    };
    const many = (flag: string): string[] => list(values[flag] as string[] | undefined, env[FLAGS.find((spec) => spec.flag === flag)!.env]);

    let settings;
    try {
      settings = {
        storage: text('storage') || 'sqlite:./sluice.db',
        port: integer('port', text('port'), 0, 65_535) ?? 4680,
        host: text('host') || '127.0.0.1',
        ingestKeys: await keysFrom('ingest-key', many('ingest-key'), text('ingest-key-file')),
        readKeys: await keysFrom('read-key', many('read-key'), text('read-key-file')),
        adminKeys: await keysFrom('admin-key', many('admin-key'), text('admin-key-file')),
        retention: text('retention') || null,
        open: values['open'] === true || truthy(env['SLUICE_COLLECTOR_OPEN']),
        cors: many('cors-origin'),
        maxBodyBytes: integer('max-body-bytes', text('max-body-bytes'), 1024, 1024 ** 3),
      };
      if (settings.ingestKeys.length === 0) throw new UsageError('no ingest key: give --ingest-key-file, SLUICE_COLLECTOR_INGEST_KEYS or --ingest-key');
    } catch (error) {
      if (!(error instanceof UsageError)) throw error;
      process.stderr.write(`sluice collector: ${error.message}\n\nRun \`sluice collector --help\` for the options.\n`);
      return 2;
    }

    const { createCollector } = await import('../collector/index.js');
    const log = (entry: { level: string; message: string; [field: string]: unknown }): void => {
      process.stderr.write(`${JSON.stringify({ time: new Date().toISOString(), ...entry })}\n`);
    };
    let collector;
    let url: string;
    try {
      collector = await createCollector({
        storage: settings.storage,
        ingestKeys: settings.ingestKeys,
        readKeys: settings.readKeys,
        adminKeys: settings.adminKeys,
        open: settings.open,
        cors: settings.cors,
        retention: settings.retention,
        log,
        ...(settings.maxBodyBytes === undefined ? {} : { maxBodyBytes: settings.maxBodyBytes }),
      });
      ({ url } = await collector.listen({ port: settings.port, host: settings.host }));
    } catch (error) {
      await collector?.close();
      process.stderr.write(`sluice collector: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
    if (settings.readKeys.length === 0 && settings.adminKeys.length === 0 && !settings.open) {
      log({ level: 'warn', message: 'no read key: the query API and dashboard answer 401 to everyone (give --read-key-file, or --open on loopback)' });
    }
    process.stdout.write(`sluice collector listening on ${url}\ndashboard: ${url}/\n`);

    const running = collector;
    return new Promise<number>((resolve) => {
      let stopping = false;
      const stop = (signal: NodeJS.Signals): void => {
        if (stopping) {
          // A second signal: stop waiting for the queue.
          process.stderr.write(`sluice collector: ${signal} again, exiting without draining\n`);
          process.exit(1);
        }
        stopping = true;
        log({ level: 'info', message: 'shutting down', signal });
        running.close().then(
          () => {
            process.off('SIGINT', stop);
            process.off('SIGTERM', stop);
            resolve(0);
          },
          (error: unknown) => {
            process.stderr.write(`sluice collector: close failed: ${error instanceof Error ? error.message : String(error)}\n`);
            resolve(1);
          },
        );
      };
      process.on('SIGINT', stop);
      process.on('SIGTERM', stop);
    });
  },
};
