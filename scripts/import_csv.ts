/**
 * `npm run import -- export.csv --mapping hubspot|salesforce|mapping.json [flags]`: a CRM export → leads,
 * into a leads file or straight into the database. A thin CLI over lib/import; `--help` lists the flags.
 */
import { parseArgs } from 'node:util';
import { z } from 'zod';
import { resolveAsOf } from '../lib/as-of';
import { parseEnv } from '../lib/env';
import { AppError } from '../lib/errors';
import { DEFAULT_MAX_REJECT_RATE, FORMATS, runImport, writeLeadsFile, type ImportReport, type ImportRun } from '../lib/import/import';
import { loadMapping } from '../lib/import/mapping';
import { defaultRejectsPath, formatImportSummary, writeRejects } from '../lib/import/report';
import { ENCODINGS, type Delimiter } from '../lib/import/source';
import type { Lead } from '../lib/lead';
import type { RuleSet } from '../lib/rules';
import { loadRuleSet } from '../lib/rules-file';
import { createStore } from '../lib/store/index';
import { seedStore } from '../lib/store/seed';
import { runMain } from './cli';

const HELP = `Usage: npm run import -- SOURCE --mapping hubspot|salesforce|MAPPING.json [flags]

Reads a CRM export (CSV; Parquet or JSON by file extension or --format; "-" reads CSV from standard
input), maps and cleans every cell, merges duplicate records, and writes the leads to a leads file or,
with --store postgres|supabase, scores and upserts them into the database. Every line of the file is
accounted for in the summary; problems go to the rejects report (line, column, value, reason).

  --mapping NAME|PATH      hubspot, salesforce, or a mapping JSON file (required; see docs/import.md)
  --out PATH               the leads file to write (default data/leads.json; file store only)
  --store KIND             file | postgres | supabase (default file)
  --rules PATH             rule set JSON file: scores database imports, and names rule fields no lead has
                           (default: SCORING_RULES, or the built-in rules)
  --rejects PATH           rejects report (default <out>.rejects.csv, or data/import.rejects.csv for a
                           database; a .json path writes JSON)
  --delimiter D            , ; tab pipe (default: read from the header line)
  --encoding E             ${ENCODINGS.join(' | ')} (default utf-8; a UTF-16 byte-order mark is always honoured)
  --format F               ${FORMATS.join(' | ')} (default: from the file name, else csv)
  --strict                 reject a row for any invalid cell (default: the cell is read as unknown, the lead kept)
  --max-reject-rate R      refuse the import when more than this share of rows would be rejected
                           (default ${DEFAULT_MAX_REJECT_RATE}; 1 never refuses)
  --json                   print the report as JSON instead of the summary
  --help                   this text

Exit codes: 0 imported; 1 an error (a bad flag, an unreadable file or mapping, a database error);
2 refused: too many rejected rows, no lead at all, or an outcome column that is missing or never reads
as converted. When an import is refused or fails, the previous leads file (or database) is untouched.`;

const DELIMITERS: Record<string, Delimiter> = { ',': ',', comma: ',', ';': ';', semicolon: ';', tab: '\t', '\t': '\t', '|': '|', pipe: '|' };

const flagsSchema = z.object({
  mapping: z.string({ error: '--mapping is required: hubspot, salesforce, or the path of a mapping JSON file (see examples/mapping.example.json)' }).min(1),
  out: z.string().min(1).default('data/leads.json'),
  store: z.enum(['file', 'postgres', 'supabase'], { error: '--store must be file, postgres or supabase' }).default('file'),
  rules: z.string().min(1).optional(),
  rejects: z.string().min(1).optional(),
  delimiter: z
    .string()
    .transform((d, ctx) => DELIMITERS[d] ?? (ctx.addIssue({ code: 'custom', message: `--delimiter must be one of , ; tab pipe (got "${d}")` }), z.NEVER))
    .optional(),
  encoding: z.enum(ENCODINGS, { error: `--encoding must be one of ${ENCODINGS.join(', ')}` }).optional(),
  format: z.enum(FORMATS, { error: `--format must be one of ${FORMATS.join(', ')}` }).optional(),
  strict: z.boolean().default(false),
  'max-reject-rate': z.coerce
    .number({ error: '--max-reject-rate must be a number from 0 to 1' })
    .min(0, '--max-reject-rate must be a number from 0 to 1')
    .max(1, '--max-reject-rate must be a number from 0 to 1')
    .default(DEFAULT_MAX_REJECT_RATE),
  json: z.boolean().default(false),
});
type Flags = z.infer<typeof flagsSchema>;

function parseFlags(argv: string[]): { flags: Flags; source: string } | null {
  const str = { type: 'string' } as const;
  const bool = { type: 'boolean' } as const;
  const { values, positionals } = parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: { mapping: str, out: str, store: str, rules: str, rejects: str, delimiter: str, encoding: str, format: str, strict: bool, 'max-reject-rate': str, json: bool, help: bool },
  });
  if (values.help) return null;
  if (positionals.length !== 1) throw new AppError('INVALID_INPUT', `Give one export to import (a path, or - for standard input), got ${positionals.length}. See --help.`);
  const parsed = flagsSchema.safeParse(values);
  if (parsed.success) return { flags: parsed.data, source: positionals[0]! };
  const issue = parsed.error.issues[0]!;
  throw new AppError('INVALID_INPUT', `${issue.message} (see --help)`);
}

/** Rule fields no imported lead has: coverage counts leads per mapped field (`email`, `attributes.seats`). */
function unreadFields(rules: RuleSet, report: ImportReport): string[] {
  return [...new Set(rules.rules.map((r) => r.field))].filter((field) => !((report.coverage[field] ?? 0) > 0));
}

runMain(
  'import',
  async () => {
    let parsed: ReturnType<typeof parseFlags>;
    try {
      parsed = parseFlags(process.argv.slice(2));
    } catch (error) {
      // parseArgs throws TypeErrors for unknown flags and missing values: one clear line, no stack trace.
      if (error instanceof TypeError) throw new AppError('INVALID_INPUT', `${error.message} (see --help)`);
      throw error;
    }
    if (!parsed) {
      console.log(HELP);
      return 0;
    }
    const { flags, source } = parsed;
    if (flags.store !== 'file' && flags.out !== flagsSchema.shape.out.parse(undefined)) {
      throw new AppError('INVALID_INPUT', `--out is the leads file of --store file; this import writes to ${flags.store}.`);
    }
    const mapping = await loadMapping(flags.mapping);
    const config = parseEnv(flags.store === 'file' ? process.env : { ...process.env, LEAD_STORE: flags.store });
    const rules = await loadRuleSet(flags.rules ?? config.SCORING_RULES, { origin: flags.rules ? '--rules' : 'SCORING_RULES' });
    const rejectsPath = flags.rejects ?? (flags.store === 'file' ? defaultRejectsPath(flags.out) : 'data/import.rejects.csv');
    const destination = flags.store === 'file' ? flags.out : `the ${flags.store} store`;

    const started = performance.now();
    const elapsed = () => `${((performance.now() - started) / 1000).toFixed(1)} s`;
    const progress = (line: string) => process.stderr.write(`  … ${line} (${elapsed()})\n`);
    let stored = '';
    const run: ImportRun = await runImport(
      source,
      { mapping, delimiter: flags.delimiter, encoding: flags.encoding, format: flags.format, strict: flags.strict, maxRejectRate: flags['max-reject-rate'], onProgress: progress },
      async (leads) => {
        if (flags.store === 'file') return writeLeadsFile(leads, flags.out);
        // The database: every lead scored as the rules say and upserted in batches (enrichments kept).
        const all: Lead[] = [];
        for await (const batch of leads.batches(10_000)) for (const json of batch) all.push(JSON.parse(json) as Lead);
        const store = await createStore(config);
        try {
          const result = await seedStore(store, all, {
            rules,
            now: resolveAsOf(all, config.SCORING_AS_OF),
            onProgress: ({ done, total }) => progress(`${done.toLocaleString('en-US')} of ${total.toLocaleString('en-US')} leads upserted`),
          });
          stored = `  stored               ${result.leads.toLocaleString('en-US')} leads in ${flags.store}: ${result.byTier.HOT} HOT, ${result.byTier.WARM} WARM, ${result.byTier.COLD} COLD (rules ${result.rulesVersion})`;
        } finally {
          await store.close?.();
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
      console.log(`  took ${elapsed()}`);
    }
    if (run.failure) {
      console.error(`import: refused, nothing written to ${destination} (it is as it was).\n${run.failure}\nThe rejects report ${rejectsPath} lists each problem.`);
      return 2;
    }
    return 0;
  },
  { exitWhenDone: true },
);

