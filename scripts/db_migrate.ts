/**
 * `npm run db:migrate`: applies supabase/migrations/*.sql to DATABASE_URL (idempotent, each file once,
 * in its own transaction). For people who do not use the Supabase CLI; `supabase db push` applies the
 * same files.
 */
import { connectPostgres } from '../lib/db/connect';
import { migrate } from '../lib/db/migrate';
import { parseEnv } from '../lib/env';
import { AppError } from '../lib/errors';
import { defineCommand } from './cli';

export default defineCommand(import.meta.url, {
  name: 'db:migrate',
  summary: 'Applies supabase/migrations/*.sql to DATABASE_URL: each file once, in its own transaction; rerunning is a no-op.',
  details: 'Refuses to go on when an applied file was edited since (add a new migration instead).',
  flags: {},
  async run() {
    const { DATABASE_URL } = parseEnv(process.env);
    if (!DATABASE_URL) throw new AppError('CONFIG_ERROR', 'DATABASE_URL is required: the PostgreSQL connection string to migrate (see "Use Supabase" in README.md).');
    const sql = connectPostgres(DATABASE_URL, { max: 1 });
    try {
      const started = performance.now();
      const result = await migrate(sql, { log: (line) => console.log(`  ${line}`) });
      const ms = Math.round(performance.now() - started);
      console.log(`db:migrate: ${result.applied.length} applied, ${result.skipped.length} already applied (${ms} ms)`);
    } finally {
      await sql.end();
    }
  },
});
