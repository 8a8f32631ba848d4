/**
 * `sluice import-helicone <config.yaml> [--json]`: reads a Helicone AI Gateway configuration and prints
 * the Sluice configuration it maps to (TypeScript by default, JSON with `--json`) on stdout, and one
 * warning per key without an equivalent on stderr.
 * @module
 */
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { fromHeliconeConfig, heliconeImportSource } from '../helicone/from-config.js';
import type { CliCommand } from './index.js';

const USAGE = 'Usage: sluice import-helicone <config.yaml> [--json]\n\nPrints the Sluice configuration for a Helicone AI Gateway config (TypeScript, or JSON with --json); warnings go to stderr.\n';

/** The `import-helicone` command. */
export const command: CliCommand = {
  summary: 'print the Sluice configuration for a Helicone AI Gateway config.yaml',
  async run(argv) {
    if (argv.includes('--help') || argv.includes('-h')) {
      process.stdout.write(USAGE);
      return 0;
    }
    const files = argv.filter((argument) => !argument.startsWith('--'));
    const unknown = argv.filter((argument) => argument.startsWith('--') && argument !== '--json');
    if (files.length !== 1 || unknown.length > 0) {
      process.stderr.write(unknown.length > 0 ? `sluice import-helicone: unknown option ${unknown[0]}\n\n${USAGE}` : USAGE);
      return 2;
    }
    let text: string;
    try {
      text = await readFile(files[0]!, 'utf8');
    } catch (error) {
      process.stderr.write(`sluice import-helicone: cannot read ${files[0]}: ${(error as NodeJS.ErrnoException).code ?? String(error)}\n`);
      return 1;
    }
    let imported;
    try {
      imported = fromHeliconeConfig(text);
    } catch (error) {
      process.stderr.write(`sluice import-helicone: ${files[0]}: ${error instanceof Error ? error.message : String(error)}\n`);
      return 1;
    }
    const { data, plugins, warnings } = imported;
    process.stdout.write(argv.includes('--json') ? `${JSON.stringify({ config: data, plugins, warnings }, null, 2)}\n` : heliconeImportSource(imported));
    for (const warning of warnings) process.stderr.write(`warning: ${warning}\n`);
    return 0;
  },
};
