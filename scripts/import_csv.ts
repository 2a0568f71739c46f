/**
 * `npm run import -- export.csv --mapping hubspot|salesforce|mapping.json [--out data/leads.json]
 *    [--rejects PATH] [--delimiter ,|;|tab|pipe] [--rules rules.json] [--workers N]`
 * Imports a CRM CSV export into a leads file (thin CLI over lib/import), streamed in two passes so a large
 * export never sits in memory. The source must be a file path (it is read once; rows are spilled to a temp
 * file). Rejected rows go to the rejects report (default `<out>.rejects.csv`, or JSON for a .json path); the
 * good rows still import. With `--rules`, also says which fields the rule set reads that no imported lead has.
 * Files of 8 MiB and more are parsed and cleaned on worker threads (one per core but one) and the main thread; `--workers 0` keeps it on one.
 */
import { parseArgs } from 'node:util';
import { AppError } from '../lib/errors';
import type { Delimiter } from '../lib/import/csv';
import { defaultRejectsPath, formatImportSummary, importCsvToFiles, threadsLabel, type ImportReport } from '../lib/import/import-csv';
import { loadMapping } from '../lib/import/mapping';
import { loadRuleSet } from '../lib/rules-file';
import { ruleFields, type RuleSet } from '../lib/rules';
import { runMain } from './cli';

const DELIMITER_NAMES: Record<string, Delimiter> = { ',': ',', comma: ',', ';': ';', semicolon: ';', tab: '\t', '\t': '\t', '|': '|', pipe: '|' };

/** Rule fields no imported lead has: coverage counts leads per mapped field (`email`, `attributes.seats`). */
function unreadFields(rules: RuleSet, report: ImportReport): string[] {
  return [...new Set(rules.rules.flatMap(ruleFields))].filter((field) => !((report.coverage[field] ?? 0) > 0));
}

runMain('import', async () => {
  const { values, positionals } = parseArgs({
    allowPositionals: true,
    options: {
      mapping: { type: 'string' },
      out: { type: 'string', default: 'data/leads.json' },
      rejects: { type: 'string' },
      delimiter: { type: 'string' },
      rules: { type: 'string' },
      workers: { type: 'string' },
    },
    strict: true,
  });
  const [source, ...extra] = positionals;
  if (!source || extra.length > 0) throw new AppError('INVALID_INPUT', 'Usage: npm run import -- export.csv --mapping hubspot|salesforce|mapping.json [--out data/leads.json] [--rejects PATH] [--delimiter ,|;|tab|pipe] [--rules rules.json] [--workers N]');
  if (!values.mapping) throw new AppError('INVALID_INPUT', '--mapping is required: hubspot, salesforce, or the path of a JSON mapping file (see examples/mapping.example.json)');
  let delimiter: Delimiter | undefined;
  if (values.delimiter !== undefined) {
    delimiter = DELIMITER_NAMES[values.delimiter];
    if (!delimiter) throw new AppError('INVALID_INPUT', `--delimiter must be one of , ; tab pipe (got "${values.delimiter}")`);
  }
  let workers: number | undefined;
  if (values.workers !== undefined) {
    workers = Number(values.workers);
    if (!Number.isInteger(workers) || workers < 0 || workers > 64) throw new AppError('INVALID_INPUT', `--workers must be a whole number from 0 to 64 (got "${values.workers}")`);
  }
  const mapping = await loadMapping(values.mapping);
  const rules = values.rules === undefined ? undefined : await loadRuleSet(values.rules, { origin: '--rules' });
  const paths = { source, out: values.out, rejects: values.rejects ?? defaultRejectsPath(values.out) };

  const started = performance.now();
  const result = await importCsvToFiles(
    source,
    {
      mapping,
      delimiter,
      workers,
      onProgress: (rows) => process.stderr.write(`  … ${rows.toLocaleString('en-US')} rows (${Math.round(rows / ((performance.now() - started) / 1000)).toLocaleString('en-US')} rows/s)\n`),
    },
    paths,
  );
  console.log(formatImportSummary(result.report, paths));
  const { rowsMs, leadsMs } = result.timings;
  const seconds = (ms: number) => `${(ms / 1000).toFixed(1)} s`;
  console.log(
    `  took ${seconds(performance.now() - started)}: rows ${seconds(rowsMs)} (${threadsLabel(result.timings)}), merging + writing leads ${seconds(leadsMs)}`,
  );
  if (rules) {
    const unread = unreadFields(rules, result.report);
    console.log(
      unread.length
        ? `  ⚠ rule set "${rules.name}" reads fields no imported lead has (they will score as unknown): ${unread.join(', ')}`
        : `  rule set "${rules.name}": every field it reads is present on some imported lead`,
    );
  }
});
