/**
 * `sluice import-litellm <config.yaml>`: prints a LiteLLM proxy config as a Sluice configuration
 * (TypeScript), and what could not be carried over.
 * @module
 */
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { parseArgs } from 'node:util';
import { liteLLMPlanToSource, planLiteLLMConfig } from '../litellm/index.js';
import type { CliCommand } from './index.js';

const HELP = `Usage: sluice import-litellm <config.yaml> [--json]

Reads a LiteLLM proxy config (model_list, router_settings, litellm_settings) and prints the same
setup as a Sluice configuration in TypeScript. Keys stay in the environment variables the config
names (os.environ/NAME); they are never printed. What has no Sluice equivalent is listed as
warnings (on stderr with --json).

Options:
  --json   print { config, plugins, warnings } as JSON instead of TypeScript
  -h, --help`;

/** The `import-litellm` command. */
export const command: CliCommand = {
  summary: 'print a LiteLLM proxy config.yaml as a Sluice configuration',
  async run(argv) {
    const { values, positionals } = parseArgs({ args: [...argv], options: { json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } }, allowPositionals: true });
    if (values.help === true) {
      process.stdout.write(`${HELP}\n`);
      return 0;
    }
    if (positionals.length !== 1) {
      process.stderr.write(`${HELP}\n`);
      return 2;
    }
    const plan = planLiteLLMConfig(await readFile(positionals[0]!, 'utf8'), { env: {} });
    // Keys are printed as the environment variables they come from; values read here are not used.
    const quiet = plan.warnings.filter((warning) => !/ is not set in the environment$/.test(warning));
    if (values.json === true) {
      const { keyEnv, ...rest } = plan;
      const providers = Object.fromEntries(Object.entries(rest.config.providers ?? {}).map(([name, provider]) => [name, keyEnv[name] === undefined ? provider : { ...provider, apiKey: `env:${keyEnv[name]}` }]));
      process.stdout.write(`${JSON.stringify({ ...rest, config: { ...rest.config, ...(rest.config.providers ? { providers } : {}) }, warnings: quiet }, null, 2)}\n`);
      for (const warning of quiet) process.stderr.write(`warning: ${warning}\n`);
      return 0;
    }
    process.stdout.write(liteLLMPlanToSource({ ...plan, warnings: quiet }));
    return 0;
  },
};
