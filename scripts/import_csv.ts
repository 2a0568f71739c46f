/**
 * `npm run import -- export.csv --mapping hubspot|salesforce|mapping.json [flags]`: a CRM export → leads,
 * into a leads file or straight into the database. A thin CLI over lib/import; `--help` lists the flags.
 */
import { z } from 'zod';
import { resolveAsOf } from '../lib/as-of';
import { parseEnv } from '../lib/env';
import { AppError } from '../lib/errors';
import { DEFAULT_MAX_REJECT_RATE, FORMATS, runImport, writeLeadsFile, type ImportReport, type ImportRun } from '../lib/import/import';
import { loadMapping, shownAttributes } from '../lib/import/mapping';
import { defaultRejectsPath, formatImportSummary, writeRejects } from '../lib/import/report';
import { ENCODINGS, type Delimiter } from '../lib/import/source';
import type { Lead } from '../lib/lead';
import { ruleFields, type RuleSet } from '../lib/rules';
import { loadRuleSet } from '../lib/rules-file';
import { createStore } from '../lib/store/index';
import { seedStore } from '../lib/store/seed';
import { booleanFlag, createProgress, defineCommand, EXIT, sharedFlags, valueFlag } from './cli';

/** Refused: the import looked wrong, and nothing was written. */
export const EXIT_REFUSED = 3;

const DEFAULT_OUT = 'data/leads.json';
const DATABASE_REJECTS = 'data/import.rejects.csv';
const DELIMITERS: Record<string, Delimiter> = { ',': ',', comma: ',', ';': ';', semicolon: ';', tab: '\t', '\t': '\t', '|': '|', pipe: '|' };
const oneOf = (values: readonly string[]) => `must be one of ${values.join(', ')}`;

/** Rule fields no imported lead has: coverage counts leads per mapped field (`email`, `attributes.seats`). */
function unreadFields(rules: RuleSet, report: ImportReport): string[] {
  return [...new Set(rules.rules.flatMap(ruleFields))].filter((field) => !((report.coverage[field] ?? 0) > 0));
}

export default defineCommand(import.meta.url, {
  name: 'import',
  summary:
    'Reads a CRM export, maps and cleans every cell, merges duplicate records, and writes the leads to a leads file or, with --store postgres|supabase, scores and upserts them into the database.',
  details: [
    'SOURCE is a CSV file, "-" for CSV on standard input, or a Parquet or JSON file (by its name, or --format).',
    'Every line of the file is accounted for in the summary; problems go to the rejects report (line, column,',
    'value, reason). A refused or failed import leaves the previous leads file (or database) as it was.',
    'See docs/import.md.',
  ].join('\n'),
  positionals: [{ name: 'SOURCE', help: 'the export: a path, or - for standard input' }],
  flags: {
    mapping: valueFlag(
      'NAME|PATH',
      'hubspot, salesforce, or a mapping JSON file (see examples/mapping.example.json)',
      z.string({ error: 'is required' }).trim().min(1, 'needs hubspot, salesforce or a path'),
    ),
    out: { ...sharedFlags.out, help: `the leads file to write, atomically (default ${DEFAULT_OUT}; --store file only)` },
    store: { ...sharedFlags.store, help: 'file | postgres | supabase (default file): postgres and supabase score the leads with --rules and upsert them' },
    rules: { ...sharedFlags.rules, help: 'rule set JSON file: scores database imports, and names rule fields no lead has (default: SCORING_RULES, or the built-in rules)' },
    rejects: valueFlag('PATH', `rejects report (default <out>.rejects.csv, or ${DATABASE_REJECTS} for a database; a .json path writes JSON)`, z.string().min(1, 'needs a path').optional()),
    delimiter: valueFlag(
      'D',
      ', ; tab pipe (default: read from the header line)',
      z
        .string()
        .transform((d, ctx) => DELIMITERS[d] ?? (ctx.addIssue({ code: 'custom', message: 'must be one of , ; tab pipe' }), z.NEVER))
        .optional(),
    ),
    encoding: valueFlag('E', `${ENCODINGS.join(' | ')} (default utf-8; a UTF-16 byte-order mark is always honoured)`, z.enum(ENCODINGS, { error: oneOf(ENCODINGS) }).optional()),
    format: valueFlag('F', `${FORMATS.join(' | ')} (default: from the file name, else csv)`, z.enum(FORMATS, { error: oneOf(FORMATS) }).optional()),
    strict: booleanFlag('reject a row for any invalid cell (by default the cell is read as unknown and the lead kept)'),
    'max-reject-rate': valueFlag(
      'R',
      'refuse the import when more than this share of the rows would be rejected, 0 to 1 (1 never refuses)',
      z
        .string()
        .trim()
        .min(1, 'must be a number from 0 to 1')
        .transform(Number)
        .pipe(z.number({ error: 'must be a number from 0 to 1' }).min(0, 'must be a number from 0 to 1').max(1, 'must be a number from 0 to 1'))
        .default(DEFAULT_MAX_REJECT_RATE),
    ),
    json: { ...sharedFlags.json, help: 'print the report as JSON instead of the summary' },
  },
  exitCodes: {
    [EXIT.FAILED]: 'failed: an unreadable file or mapping, a database error',
    [EXIT_REFUSED]: 'refused, nothing written: too many rejected rows, no lead at all, or an outcome column that is missing or never reads as converted',
  },
  // The database clients may hold sockets open.
  exitWhenDone: true,
  async run({ flags, positionals }) {
    const source = positionals[0]!;
    const store = flags.store ?? 'file';
    if (store !== 'file' && flags.out !== undefined) {
      throw new AppError('USAGE', `--out is the leads file of --store file; this import writes to ${store}`);
    }
    const out = flags.out ?? DEFAULT_OUT;
    const mapping = await loadMapping(flags.mapping);
    const config = parseEnv(store === 'file' ? process.env : { ...process.env, LEAD_STORE: store });
    const rules = await loadRuleSet(flags.rules ?? config.SCORING_RULES, { origin: flags.rules ? '--rules' : 'SCORING_RULES' });
    const rejectsPath = flags.rejects ?? (store === 'file' ? defaultRejectsPath(out) : DATABASE_REJECTS);
    const destination = store === 'file' ? out : `the ${store} store`;

    const started = performance.now();
    const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
    const stage = (line: string) => process.stderr.write(`  … ${line} (${elapsed()})\n`);
    let stored = '';
    const run: ImportRun = await runImport(
      source,
      { mapping, delimiter: flags.delimiter, encoding: flags.encoding, format: flags.format, strict: flags.strict, maxRejectRate: flags['max-reject-rate'], onProgress: stage },
      async (leads) => {
        if (store === 'file') return writeLeadsFile(leads, out);
        // The database: every lead scored as the rules say and upserted in batches (enrichments kept).
        const all: Lead[] = [];
        for await (const batch of leads.batches(10_000)) for (const json of batch) all.push(JSON.parse(json) as Lead);
        const db = await createStore(config);
        const progress = createProgress({ label: 'import', total: all.length });
        try {
          const result = await seedStore(db, all, { rules, now: resolveAsOf(all, config.SCORING_AS_OF), onProgress: ({ done }) => progress.update(done, 'upserted') });
          stored = `  stored               ${result.leads.toLocaleString('en-US')} leads in ${store}: ${result.byTier.HOT} HOT, ${result.byTier.WARM} WARM, ${result.byTier.COLD} COLD (rules ${result.rulesVersion})`;
        } finally {
          progress.end();
          await db.close?.();
        }
      },
    );
    await writeRejects(run.rejects, rejectsPath);
    if (flags.json) {
      console.log(JSON.stringify({ ...run.report, failure: run.failure, rejects: rejectsPath, destination }, null, 2));
    } else {
      console.log(formatImportSummary(run.report, { source: source === '-' ? 'standard input' : source, destination, rejects: rejectsPath }));
      if (stored) console.log(stored);
      const unread = unreadFields(rules, run.report);
      if (!run.failure) {
        console.log(
          unread.length
            ? `  ⚠ rule set "${rules.name}" reads fields no imported lead has (they score as unknown): ${unread.join(', ')}`
            : `  rule set "${rules.name}": every field it reads is present on some imported lead`,
        );
      }
      const shown = shownAttributes(mapping);
      if (!run.failure && shown.length > 0) console.log(`  lead table           shows ${shown.join(', ')} (marked "show") when the dashboard runs with LEAD_MAPPING=${flags.mapping}`);
      console.log(`  took ${elapsed()}`);
    }
    if (run.failure) {
      console.error(`import: refused, nothing written to ${destination} (it is as it was).\n${run.failure}\nThe rejects report ${rejectsPath} lists each problem.`);
      return EXIT_REFUSED;
    }
    return EXIT.OK;
  },
});
