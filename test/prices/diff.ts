/**
 * `npm run prices:diff`: every built-in price row next to genai-prices' price for the same usage,
 * for a maintainer updating the tables. Prints the rows that differ (marking reviewed ones), the
 * rows genai-prices does not price, and a summary line. `--all` prints agreeing rows too.
 */
import { ALLOWED_DRIFT } from './allow-list.js';
import { compareAll, PROFILES } from './compare.js';

const all = process.argv.includes('--all');
const allowed = new Map(ALLOWED_DRIFT.map((entry) => [entry.row, entry.reason]));
const rows = compareAll();
const money = (value: number | undefined): string => (value === undefined || Number.isNaN(value) ? '—' : `$${Number(value.toFixed(6))}`);

let unexplained = 0;
for (const row of rows) {
  const name = `${row.table}/${row.model}`;
  if (row.theirs === null || (row.differs.length === 0 && !all)) continue;
  const reason = allowed.get(name);
  if (row.differs.length > 0 && reason === undefined) unexplained++;
  const mark = row.differs.length === 0 ? 'same' : reason === undefined ? 'DIFFERS' : 'reviewed';
  console.log(`${mark.padEnd(8)} ${name}`);
  for (const profile of PROFILES) {
    if (!all && !row.differs.includes(profile.name)) continue;
    console.log(`         ${profile.name.padEnd(18)} ours ${money(row.ours[profile.name]).padEnd(12)} genai-prices ${money(row.theirs[profile.name])}`);
  }
  if (reason !== undefined) console.log(`         why: ${reason}`);
}
const missing = rows.filter((row) => row.theirs === null).map((row) => `${row.table}/${row.model}`);
if (missing.length > 0) console.log(`\nnot priced by genai-prices (${missing.length}): ${missing.join(', ')}`);
const differing = rows.filter((row) => row.differs.length > 0).length;
console.log(`\n${rows.length} rows, ${rows.length - missing.length} compared, ${differing} differ (${differing - unexplained} reviewed, ${unexplained} not)`);
process.exitCode = unexplained > 0 ? 1 : 0;
