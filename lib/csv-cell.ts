/**
 * The one way LeadSignal writes a CSV cell, so no CSV it writes can run as a spreadsheet formula.
 *
 * OWASP's guidance on CSV injection: a cell starting with `=`, `+`, `-`, `@`, a tab or a carriage
 * return may be run as a formula by Excel, LibreOffice or Google Sheets (`=HYPERLINK(…)`, `@SUM(…)`,
 * `-2+3+cmd|…`). Such a cell gets a leading `'`, which spreadsheets show as text, and is quoted. The
 * apostrophe is visible in a text editor: `-3` reads `'-3`, which is the price of a file that is safe to
 * open. Cells with the delimiter, a quote or a line break are quoted, quotes doubled (RFC 4180).
 */

const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: string | number, delimiter = ','): string {
  const text = String(value);
  if (FORMULA_START.test(text)) return `"'${text.replace(/"/g, '""')}"`;
  return text.includes(delimiter) || /["\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

