/**
 * Markdown rendering and number formatting for the results.
 * @module
 */

/** Renders a Markdown table; cells are already formatted. Numeric-looking columns are right-aligned. */
export function markdownTable(header: readonly string[], rows: readonly (readonly string[])[], align?: readonly ('l' | 'r')[]): string {
  const widths = header.map((cell, column) => Math.max(cell.length, ...rows.map((row) => (row[column] ?? '').length), 3));
  const pad = (cell: string, column: number): string => {
    const right = (align?.[column] ?? (column === 0 ? 'l' : 'r')) === 'r';
    return right ? cell.padStart(widths[column]!) : cell.padEnd(widths[column]!);
  };
  const line = (cells: readonly string[]): string => `| ${cells.map((cell, column) => pad(cell, column)).join(' | ')} |`;
  const rule = `| ${widths.map((width, column) => ((align?.[column] ?? (column === 0 ? 'l' : 'r')) === 'r' ? `${'-'.repeat(width - 1)}:` : '-'.repeat(width))).join(' | ')} |`;
  return [line(header), rule, ...rows.map((row) => line(header.map((_, column) => row[column] ?? '')))].join('\n');
}

/** Formats milliseconds as microseconds. */
export function us(ms: number, digits = 1): string {
  return `${(ms * 1000).toFixed(digits)} µs`;
}

/** Formats milliseconds. */
export function ms(value: number, digits = 2): string {
  return `${value.toFixed(digits)} ms`;
}

/** Formats a signed difference in microseconds from milliseconds. */
export function signedUs(ms: number, digits = 1): string {
  const value = ms * 1000;
  return `${value >= 0 ? '+' : ''}${value.toFixed(digits)} µs`;
}

/** Formats bytes as KB (1024). */
export function kb(bytes: number, digits = 1): string {
  return `${(bytes / 1024).toFixed(digits)} KB`;
}

/** Formats a number with thousands separators. */
export function int(value: number): string {
  return Math.round(value).toLocaleString('en-US');
}

/** ✓ or ✗. */
export function mark(ok: boolean): string {
  return ok ? '✓' : '✗';
}
