#!/usr/bin/env node
/**
 * The `sluice` command (the package's `bin`): `npx sluice <command> [options]`. Each command lives in
 * its own module under `src/cli/`, loaded only when it runs, and registered in {@link COMMANDS}.
 * Node only; never imported by a library entry.
 * @module
 */
import process from 'node:process';

/** A subcommand: `run` gets the arguments after its name and resolves to the process exit code. */
export interface CliCommand {
  /** One line for `sluice --help`. */
  summary: string;
  /** Runs the command; resolves to the exit code (0 for success). */
  run(argv: readonly string[]): Promise<number>;
}

/**
 * The registered commands, by name, each loaded on demand. A new command adds one line here and one
 * module beside this file exporting `command: CliCommand`.
 */
export const COMMANDS: Readonly<Record<string, { summary: string; load: () => Promise<{ command: CliCommand }> }>> = {
  version: { summary: 'print the installed version', load: () => import('./version.js') },
  'import-litellm': { summary: 'print a LiteLLM proxy config.yaml as a Sluice configuration', load: () => import('./import-litellm.js') },
  'import-helicone': { summary: 'print the Sluice configuration for a Helicone AI Gateway config.yaml', load: () => import('./import-helicone.js') },
  collector: { summary: 'run the collector: ingest, query API, live tail and dashboard', load: () => import('./collector.js') },
  audit: { summary: 'verify an audit trail: sluice audit verify <file> [--hmac-key-file f]', load: () => import('./audit.js') },
};

function usage(): string {
  const width = Math.max(...Object.keys(COMMANDS).map((name) => name.length));
  const lines = Object.entries(COMMANDS).map(([name, { summary }]) => `  ${name.padEnd(width)}  ${summary}`);
  return ['Usage: sluice <command> [options]', '', 'Commands:', ...lines, '', 'Run `sluice <command> --help` for the options of one command.'].join('\n');
}

/** Runs the CLI with `argv` (without `node` and the script path); resolves to the exit code. */
export async function main(argv: readonly string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (name === undefined || name === '--help' || name === '-h' || name === 'help') {
    process.stdout.write(`${usage()}\n`);
    return name === undefined ? 2 : 0;
  }
  const entry = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (!entry) {
    process.stderr.write(`sluice: unknown command '${name}'\n\n${usage()}\n`);
    return 2;
  }
  const { command } = await entry.load();
  return command.run(rest);
}

const invokedDirectly = typeof process.argv[1] === 'string' && /[\\/](?:cli(?:\/index)?\.[cm]?[jt]s|sluice)$/.test(process.argv[1]);
if (invokedDirectly) {
  main(process.argv.slice(2)).then(
    (code) => {
      process.exitCode = code;
    },
    (error: unknown) => {
      process.stderr.write(`sluice: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exitCode = 1;
    },
  );
}
