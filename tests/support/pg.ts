import { afterAll, beforeAll, describe, it } from 'vitest';
import { createScratchDatabase, type ScratchDatabase } from '@/lib/db/scratch';

/**
 * Real-PostgreSQL test support. DATABASE_URL is an admin connection (a role with CREATEDB and
 * CREATEROLE); each test file gets its own throwaway database, migrated, and dropped at the end.
 * Without DATABASE_URL the suites are skipped with a loud warning, except in CI, where they fail.
 */

const { DATABASE_URL } = process.env;
export const ADMIN_DATABASE_URL = DATABASE_URL?.trim() ? DATABASE_URL.trim() : undefined;

export type TestDatabase = ScratchDatabase;

/** A fresh database for one test file; `migrated: false` leaves out the migrations. */
export function createTestDatabase({ migrated = true }: { migrated?: boolean } = {}): Promise<TestDatabase> {
  if (!ADMIN_DATABASE_URL) throw new Error('DATABASE_URL is not set');
  return createScratchDatabase(ADMIN_DATABASE_URL, { prefix: 'ls_test', migrated });
}

/**
 * `describe` for suites that need PostgreSQL: gives them a fresh migrated database (`db()`), or skips
 * them loudly when DATABASE_URL is unset, or fails them when CI=true.
 */
export function describePostgres(name: string, body: (db: () => TestDatabase) => void): void {
  if (!ADMIN_DATABASE_URL) {
    if (process.env.CI === 'true') {
      describe(name, () => {
        it('needs DATABASE_URL (required in CI)', () => {
          throw new Error('DATABASE_URL is not set: PostgreSQL tests cannot be skipped in CI (see .ci/run)');
        });
      });
      return;
    }
    console.warn(
      `\n${'!'.repeat(78)}\n!! SKIPPED "${name}": DATABASE_URL is not set, so the PostgreSQL tests did not run.\n` +
        `!! Start PostgreSQL and export DATABASE_URL (see "Use Supabase" in README.md) to run them.\n${'!'.repeat(78)}\n`,
    );
    describe.skip(name, () => body(() => undefined as never));
    return;
  }
  describe(name, () => {
    let database: TestDatabase | undefined;
    beforeAll(async () => {
      database = await createTestDatabase();
    }, 60_000);
    afterAll(async () => {
      await database?.drop();
    });
    body(() => {
      if (!database) throw new Error('test database not created');
      return database;
    });
  });
}
