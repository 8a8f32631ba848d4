/**
 * `sluice audit verify <file> [--hmac-key-file <file>] [--previous-hash <hash>]`: verifies an audit
 * trail written by `createSluice({ audit })` and names the first line that does not verify.
 * @module
 */
import { readFile } from 'node:fs/promises';
import process from 'node:process';
import { verifyAuditTrail, type VerifyAuditOptions } from '../audit/verify.js';
import type { CliCommand } from './index.js';

const USAGE = `Usage: sluice audit verify <file> [--hmac-key-file <file>] [--previous-hash <hash>] [--checkpoint <hash>]

Verifies an audit trail (JSON lines): each event's hash (and HMAC, with --hmac-key-file) and the
order of each chain. Exits 0 when it verifies, 1 naming the first bad line, 2 on a usage error.

  --hmac-key-file <file>   the audit.hmacKey the trail was signed with (trailing newline ignored)
  --previous-hash <hash>   the last hash of the previous file, for a rotated trail
  --checkpoint <hash>      a last hash kept from an earlier check: the trail must still contain it`;

/** The `audit` command. */
export const command: CliCommand = {
  summary: 'verify an audit trail: sluice audit verify <file> [--hmac-key-file f]',
  async run(argv) {
    const [action, ...rest] = argv;
    if (action === '--help' || action === '-h') {
      process.stdout.write(`${USAGE}\n`);
      return 0;
    }
    if (action !== 'verify') {
      process.stderr.write(`sluice audit: expected 'verify'\n\n${USAGE}\n`);
      return 2;
    }
    let file: string | undefined;
    const options: VerifyAuditOptions = {};
    for (let index = 0; index < rest.length; index++) {
      const arg = rest[index]!;
      const value = rest[index + 1];
      if (arg === '--hmac-key-file' || arg === '--previous-hash' || arg === '--checkpoint') {
        if (value === undefined) {
          process.stderr.write(`sluice audit verify: ${arg} needs a value\n`);
          return 2;
        }
        index++;
        if (arg === '--previous-hash') options.previousHash = value;
        else if (arg === '--checkpoint') options.checkpoint = value;
        else options.hmacKey = (await readFile(value, 'utf8')).replace(/\r?\n$/, '');
      } else if (arg.startsWith('-') || file !== undefined) {
        process.stderr.write(`sluice audit verify: unexpected argument '${arg}'\n\n${USAGE}\n`);
        return 2;
      } else {
        file = arg;
      }
    }
    if (file === undefined) {
      process.stderr.write(`sluice audit verify: which file?\n\n${USAGE}\n`);
      return 2;
    }
    const result = await verifyAuditTrail(await readFile(file, 'utf8'), options);
    if (result.ok) {
      process.stdout.write(`ok: ${result.events} events in ${result.chains} chain(s); last hash ${result.lastHash ?? '(none)'}\n`);
      return 0;
    }
    process.stdout.write(`${file}:${result.firstBadLine}: ${result.reason}\n(${result.events} events verified before it)\n`);
    return 1;
  },
};
