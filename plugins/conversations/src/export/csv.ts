/** CSV (RFC 4180) for spreadsheets, hardened against formula injection. */

// A cell starting with one of these is run as a formula by spreadsheet programs.
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number): string {
  if (typeof value === 'number') return String(value);
  const safe = FORMULA_START.test(value) ? `'${value}` : value;
  return /[",\r\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

export function csvLine(values: Array<string | number>): string {
  return `${values.map(csvCell).join(',')}\r\n`;
}

/** A byte-order mark so spreadsheet programs read the file as UTF-8 (Chinese names stay readable). */
export const CSV_BOM = '\uFEFF';
