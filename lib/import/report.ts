import { csvCell } from '../csv-cell';
import { writeFileAtomic } from '../fs-atomic';
import { MAX_TEXT_LENGTH } from './clean';
import type { ImportReport, RejectedValue } from './import';

/** The rejects report: CSV (`line,column,value,reason`, cells spreadsheet-safe) or, for a `.json` path, a JSON array. */
export function rejectsFileText(rejects: readonly RejectedValue[], format: 'csv' | 'json'): string {
  if (format === 'json') return `${JSON.stringify(rejects, null, 2)}\n`;
  const rows = rejects.map((r) => [r.line, r.column, r.value, r.reason].map((cell) => csvCell(cell)).join(','));
  return `${['line,column,value,reason', ...rows].join('\n')}\n`;
}

/** `data/leads.json` → `data/leads.rejects.csv`. */
export function defaultRejectsPath(out: string): string {
  return `${out.replace(/\.json$/i, '')}.rejects.csv`;
}

/** The rejects report, written always (so an old report never outlives its import) and atomically. */
export async function writeRejects(rejects: readonly RejectedValue[], file: string): Promise<void> {
  await writeFileAtomic(file, rejectsFileText(rejects, file.toLowerCase().endsWith('.json') ? 'json' : 'csv'));
}

const fmt = (n: number) => n.toLocaleString('en-US');
const percent = (part: number, whole: number) => `${whole ? Math.round((100 * part) / whole) : 0}%`;
const byColumn = (counts: Record<string, number>) =>
  Object.entries(counts)
    .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
    .map(([column, n]) => `${column} ${fmt(n)}`)
    .join(', ');

/** The terminal summary: where every line went, what came out, and what needs a look. */
export function formatImportSummary(report: ImportReport, paths: { source: string; destination: string; rejects: string }): string {
  const source = report.format === 'csv' ? `delimiter ${report.delimiter === '\t' ? 'tab' : `"${report.delimiter}"`}, ${report.encoding}` : report.format;
  const lines = [`${fmt(report.leads)} leads from ${paths.source} (mapping: ${report.mapping}; ${source}) → ${paths.destination}`];
  const l = report.lines;
  if (l) {
    const spanned = l.rowLines > l.rowsRead ? ` on ${fmt(l.rowLines)} lines` : '';
    const sep = l.sepLine ? ` (with Excel's "sep=" line)` : '';
    lines.push(`  lines                ${fmt(l.lines)} = header ${fmt(l.headerLines)}${sep} + ${fmt(l.rowsRead)} rows${spanned} + ${fmt(l.blankLines)} blank`);
  } else {
    lines.push(`  records              ${fmt(report.rowsRead)}`);
  }
  lines.push(
    `  rows                 ${fmt(report.rowsAccepted)} imported, ${fmt(report.rowsRejected)} rejected${report.rowsRejected ? ` (${byColumn(report.rejectedBy)})` : ''}, ${fmt(report.blankRows)} blank (every cell empty)`,
  );
  if (report.rowsRejected || Object.keys(report.invalidCells).length) lines.push(`  rejects              → ${paths.rejects} (line, column, value, reason)`);
  if (Object.keys(report.invalidCells).length) {
    lines.push(`  invalid cells        ${report.strict ? 'rejected their rows' : 'read as unknown, leads kept'}: ${byColumn(report.invalidCells)}`);
  }
  if (report.literalQuotes.length) {
    const shown = report.literalQuotes.slice(0, 10).join(', ') + (report.literalQuotes.length > 10 ? ', …' : '');
    lines.push(`  stray quotes         read as text on line${report.literalQuotes.length === 1 ? '' : 's'} ${shown}`);
  }
  const d = report.dedupe;
  lines.push(
    `  duplicates merged    ${fmt(report.merged)} rows: ${fmt(d.byEmail)} by email, ${fmt(d.byName)} by name + company domain, ${fmt(d.byId)} by id; ${fmt(d.linked)} leads joined through a row matching both`,
  );
  const placeholders = Object.values(report.placeholders).reduce((a, b) => a + b, 0);
  if (placeholders) lines.push(`  placeholders         ${fmt(placeholders)} cells read as unknown: ${byColumn(report.placeholders)}`);
  if (report.truncated) lines.push(`  texts shortened      ${fmt(report.truncated)} (longer than ${fmt(MAX_TEXT_LENGTH)} characters)`);
  const g = report.generatedIds;
  const generated = g.email + g.nameAndDomain + g.nameAndCompany;
  if (generated) {
    lines.push(`  generated ids        ${fmt(generated)} leads had no id: ${fmt(g.email)} from the email, ${fmt(g.nameAndDomain)} from name + company domain, ${fmt(g.nameAndCompany)} from name + company (stable across re-exports)`);
  }
  const o = report.outcome;
  if (o) {
    const values = o.values.map((v) => `"${v.value}" ${fmt(v.rows)} (${v.reads})`).join(', ') + (o.distinctValues > o.values.length ? `, … ${fmt(o.distinctValues - o.values.length)} more` : '');
    lines.push(`  outcome "${o.column}"  ${fmt(o.converted)} converted, ${fmt(o.notConverted)} not, ${fmt(o.unknown)} unknown (read only by the backtest)`);
    lines.push(`    values             ${values || '(none)'}`);
  }
  const coverage = Object.entries(report.coverage).map(([key, n]) => `${key} ${percent(n, report.leads)}`);
  if (coverage.length) lines.push(`  coverage             ${coverage.join(', ')}`);
  if (report.missingColumns.length) lines.push(`  ⚠ mapped but not in the file: ${report.missingColumns.join(', ')}`);
  if (report.ignoredColumns.length) lines.push(`  columns not mapped (ignored): ${report.ignoredColumns.map((c) => `"${c}"`).join(', ')}`);
  return lines.join('\n');
}
