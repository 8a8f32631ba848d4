/**
 * Price drift: every built-in row priced by Sluice and by genai-prices (pinned devDependency) at the
 * same usage; a difference fails unless test/prices/allow-list.ts lists the row with its reason.
 * `npm run prices:diff` prints the whole comparison.
 */
import { describe, expect, it } from 'vitest';
import { ALLOWED_DRIFT } from './allow-list.js';
import { compareAll } from './compare.js';

const rows = compareAll();
const allowed = new Map(ALLOWED_DRIFT.map((entry) => [entry.row, entry.reason]));

describe('built-in prices against genai-prices 0.1.8', () => {
  it('compares a meaningful share of the catalog (the provider mapping still works)', () => {
    const compared = rows.filter((row) => row.theirs !== null);
    expect(rows.length).toBeGreaterThan(300);
    expect(compared.length / rows.length).toBeGreaterThan(0.9);
  });

  it('differs from genai-prices only on reviewed rows', () => {
    const unexplained = rows
      .filter((row) => row.differs.length > 0 && !allowed.has(`${row.table}/${row.model}`))
      .map((row) => `${row.table}/${row.model}: ${row.differs.map((profile) => `${profile} ours ${row.ours[profile]} theirs ${row.theirs![profile]}`).join('; ')}`);
    expect(unexplained).toEqual([]);
  });

  it('lists no reviewed row that no longer differs, and gives every one a reason', () => {
    const differing = new Set(rows.filter((row) => row.differs.length > 0).map((row) => `${row.table}/${row.model}`));
    expect(ALLOWED_DRIFT.filter((entry) => !differing.has(entry.row)).map((entry) => entry.row)).toEqual([]);
    for (const entry of ALLOWED_DRIFT) expect(entry.reason.length).toBeGreaterThan(40);
  });
});
