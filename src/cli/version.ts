/**
 * `sluice version`: prints the installed package's version.
 * @module
 */
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import type { CliCommand } from './index.js';

/** The `version` command. */
export const command: CliCommand = {
  summary: 'print the installed version',
  async run() {
    // dist/cli.js and src/cli/version.ts alike sit one or two levels under the package root.
    for (const relative of ['../package.json', '../../package.json']) {
      try {
        const text = await readFile(new URL(relative, import.meta.url), 'utf8');
        const { name, version } = JSON.parse(text) as { name?: string; version?: string };
        if (name === 'sluice' && version) {
          process.stdout.write(`${version}\n`);
          return 0;
        }
      } catch {
        // Not at this level: try the next.
      }
    }
    process.stderr.write('sluice: cannot find the package version\n');
    return 1;
  },
};
