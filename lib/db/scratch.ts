import 'server-only';
import { randomBytes } from 'node:crypto';
import { connectPostgres, type Sql } from './connect';
import { migrate } from './migrate';

/**
 * Throwaway databases for tests and benchmarks: created next to the one DATABASE_URL names (which
 * needs CREATEDB), migrated, and dropped afterwards, so runs never touch real data or each other.
 */

/** `object_in_use` retries when dropping, while the last connections close. */
const DROP_ATTEMPTS = 8;

export interface ScratchDatabase {
  url: string;
  name: string;
  /** A pool on it, closed by `drop()`. */
  sql: Sql;
  drop(): Promise<void>;
}

export function withDatabase(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

export async function createScratchDatabase(
  adminUrl: string,
  { prefix = 'ls_scratch', migrated = true, max = 10 }: { prefix?: string; migrated?: boolean; max?: number } = {},
): Promise<ScratchDatabase> {
  const name = `${prefix}_${randomBytes(6).toString('hex')}`;
  const admin = connectPostgres(adminUrl, { max: 1 });
  try {
    await admin.unsafe(`create database ${name}`);
  } finally {
    await admin.end();
  }
  const url = withDatabase(adminUrl, name);
  const sql = connectPostgres(url, { max });
  const drop = async () => {
    await sql.end({ timeout: 5 });
    const dropper = connectPostgres(adminUrl, { max: 1 });
    try {
      // Not WITH (FORCE): that needs rights over every session, and after a bulk load an autovacuum
      // worker (a superuser session) is often in there. Plain DROP stops autovacuum by itself; a
      // connection still closing gets a moment.
      for (let attempt = 1; ; attempt++) {
        try {
          await dropper.unsafe(`drop database if exists ${name}`);
          return;
        } catch (error) {
          if ((error as { code?: string }).code !== '55006' || attempt === DROP_ATTEMPTS) throw error;
          await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
        }
      }
    } finally {
      await dropper.end();
    }
  };
  if (migrated) {
    try {
      await migrate(sql);
    } catch (error) {
      await drop();
      throw error;
    }
  }
  return { url, name, sql, drop };
}
