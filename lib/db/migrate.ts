import 'server-only';
import { createHash } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { AppError } from '../errors';
import type { Sql } from './connect';

/**
 * Applies `supabase/migrations/*.sql` to a database without the Supabase CLI. Each file runs once, in
 * its own transaction, in file-name order (the timestamp prefix); `schema_migrations` records what ran
 * with a checksum, and a file that changed after it was applied is refused rather than half-applied.
 */

export const MIGRATIONS_DIR = path.join(process.cwd(), 'supabase', 'migrations');

/** Supabase CLI naming: `<14-digit timestamp>_<name>.sql`. */
const MIGRATION_FILE = /^(\d{14})_([a-z0-9_]+)\.sql$/;

/** Serialises concurrent runs (two deploys, parallel test setup) on one database. */
const ADVISORY_LOCK_KEY = 72_0001_0005;

export interface Migration {
  version: string;
  name: string;
  file: string;
  sql: string;
  checksum: string;
}

export interface MigrateResult {
  applied: string[];
  skipped: string[];
}

export async function readMigrations(dir: string = MIGRATIONS_DIR): Promise<Migration[]> {
  const files = (await fs.readdir(dir)).filter((f) => f.endsWith('.sql')).sort();
  return Promise.all(
    files.map(async (file) => {
      const match = MIGRATION_FILE.exec(file);
      if (!match) {
        throw new AppError('CONFIG_ERROR', `Migration file ${file} in ${dir} must be named <14-digit timestamp>_<name>.sql`);
      }
      const sql = await fs.readFile(path.join(dir, file), 'utf8');
      return { version: match[1]!, name: match[2]!, file, sql, checksum: createHash('sha256').update(sql).digest('hex') };
    }),
  );
}

export async function migrate(
  sql: Sql,
  { dir = MIGRATIONS_DIR, log = () => {} }: { dir?: string; log?: (line: string) => void } = {},
): Promise<MigrateResult> {
  const migrations = await readMigrations(dir);
  const connection = await sql.reserve();
  try {
    await connection`select pg_advisory_lock(${ADVISORY_LOCK_KEY})`;
    try {
      await ensureMigrationsTable(connection);
      const rows = await connection<{ version: string; checksum: string }[]>`select version, checksum from public.schema_migrations`;
      const applied = new Map(rows.map((r) => [r.version, r.checksum]));
      const result: MigrateResult = { applied: [], skipped: [] };
      for (const migration of migrations) {
        const checksum = applied.get(migration.version);
        if (checksum !== undefined) {
          if (checksum !== migration.checksum) {
            throw new AppError(
              'CONFIG_ERROR',
              `Migration ${migration.file} was changed after it was applied (checksum ${checksum.slice(0, 12)} in the database, ${migration.checksum.slice(0, 12)} on disk). ` +
                'Applied migrations are history: restore the file and add a new migration for the change.',
            );
          }
          result.skipped.push(migration.file);
          continue;
        }
        log(`applying ${migration.file}`);
        // Explicit BEGIN/COMMIT: a reserved connection (which holds the lock) has no `begin()` helper.
        await connection`begin`;
        try {
          await connection.unsafe(migration.sql).simple();
          await connection`insert into public.schema_migrations (version, name, checksum) values (${migration.version}, ${migration.name}, ${migration.checksum})`;
          await connection`commit`;
        } catch (error) {
          await connection`rollback`;
          throw new AppError('STORE_ERROR', `Migration ${migration.file} failed and was rolled back: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
        }
        result.applied.push(migration.file);
      }
      return result;
    } finally {
      await connection`select pg_advisory_unlock(${ADVISORY_LOCK_KEY})`;
    }
  } catch (error) {
    if (error instanceof AppError) throw error;
    throw new AppError('STORE_ERROR', `Migration failed: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  } finally {
    connection.release();
  }
}

/**
 * The bookkeeping table lives in `public`, which Supabase exposes over its REST API with broad default
 * grants: row level security with no policy plus revoked grants keep it server-only.
 */
async function ensureMigrationsTable(sql: Sql): Promise<void> {
  await sql.unsafe(`
    create table if not exists public.schema_migrations (
      version text primary key,
      name text not null,
      checksum text not null,
      applied_at timestamptz not null default now()
    );
    comment on table public.schema_migrations is 'Migrations applied by npm run db:migrate (file timestamp, name, sha256). Server only.';
    alter table public.schema_migrations enable row level security;
    revoke all on public.schema_migrations from public;
    do $$
    declare
      role_name text;
    begin
      for role_name in select rolname from pg_roles where rolname in ('anon', 'authenticated') loop
        execute format('revoke all on public.schema_migrations from %I', role_name);
      end loop;
    end
    $$;
  `).simple();
}
