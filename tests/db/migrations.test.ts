import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrate, MIGRATIONS_DIR, readMigrations } from '@/lib/db/migrate';

const OPT_IN = path.resolve(__dirname, '../../supabase/opt-in');
import { createTestDatabase, describePostgres, type TestDatabase } from '../support/pg';

const LEAD = {
  id: 'rls-1',
  record: { id: 'rls-1', first_name: 'Ada', company_name: 'Acme', converted: true, company_description: 'Secret plans.' },
  score: 40,
  tier: 'WARM',
  breakdown: [],
  rules_version: 'r_test',
  input_hash: 'h_test',
};

describe('migration files', () => {
  it('are named <timestamp>_<name>.sql, in order, and comment every table and policy they create', async () => {
    const migrations = await readMigrations();
    expect(migrations.length).toBeGreaterThanOrEqual(2);
    const all = migrations.map((m) => m.sql).join('\n');
    for (const [, table] of all.matchAll(/CREATE TABLE (\w+\.(?:\w+|"\w+"))/g)) expect(all).toContain(`COMMENT ON TABLE ${table} IS`);
    for (const [, policy, table] of all.matchAll(/CREATE POLICY (\w+) ON public\.(\w+)/g)) expect(all).toContain(`COMMENT ON POLICY ${policy} ON public.${table} IS`);
  });
});

describePostgres('migrations on PostgreSQL', (db) => {
  let fresh: TestDatabase;

  beforeAll(async () => {
    fresh = await createTestDatabase({ migrated: false });
  }, 60_000);

  afterAll(async () => {
    await fresh?.drop();
  });

  it('apply cleanly to an empty database, and a second run is a no-op', async () => {
    const files = (await readMigrations()).map((m) => m.file);
    expect(await migrate(fresh.sql)).toEqual({ applied: files, skipped: [] });
    expect(await migrate(fresh.sql)).toEqual({ applied: [], skipped: files });
    const recorded = await fresh.sql<{ version: string }[]>`select version from public.schema_migrations order by version`;
    expect(recorded.map((r) => r.version)).toEqual(files.map((f) => f.slice(0, 14)));
  });

  it('run concurrently without applying anything twice', async () => {
    const other = await createTestDatabase({ migrated: false });
    try {
      const results = await Promise.all([migrate(other.sql), migrate(other.sql), migrate(other.sql)]);
      expect(results.flatMap((r) => r.applied).sort()).toEqual((await readMigrations()).map((m) => m.file));
    } finally {
      await other.drop();
    }
  });

  it('refuses to run when an applied migration file has changed', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-migrations-'));
    try {
      for (const file of await fs.readdir(MIGRATIONS_DIR)) await fs.copyFile(path.join(MIGRATIONS_DIR, file), path.join(dir, file));
      const [first] = (await readMigrations(dir)).map((m) => m.file);
      await fs.appendFile(path.join(dir, first!), '\n-- edited after it was applied\n');
      await expect(migrate(fresh.sql, { dir })).rejects.toMatchObject({ code: 'CONFIG_ERROR', message: expect.stringContaining(`${first} was changed after it was applied`) });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  it('rolls back a failing migration whole and records nothing for it', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-migrations-'));
    try {
      for (const file of await fs.readdir(MIGRATIONS_DIR)) await fs.copyFile(path.join(MIGRATIONS_DIR, file), path.join(dir, file));
      await fs.writeFile(path.join(dir, '29990101000000_broken.sql'), 'create table public.half_done (id int);\nselect no_such_function();\n');
      await expect(migrate(fresh.sql, { dir })).rejects.toMatchObject({ code: 'STORE_ERROR', message: expect.stringContaining('29990101000000_broken.sql failed and was rolled back') });
      const [state] = await fresh.sql<{ table: string | null; recorded: number }[]>`
        select to_regclass('public.half_done')::text as table, (select count(*)::int from public.schema_migrations where version = '29990101000000') as recorded`;
      expect(state).toEqual({ table: null, recorded: 0 });
    } finally {
      await fs.rm(dir, { recursive: true, force: true });
    }
  });

  describe('row level security', () => {
    /**
     * Runs `work` as `role` in a transaction that is always rolled back; `setup` SQL (say, an opt-in file)
     * runs first, as the owner, in the same transaction.
     */
    async function as<T>(role: 'anon' | 'authenticated' | 'service_role', work: (sql: TestDatabase['sql']) => Promise<T>, setup: string[] = []): Promise<T> {
      let result: T;
      await db()
        .sql.begin(async (tx) => {
          for (const statements of setup) await tx.unsafe(statements).simple();
          await tx.unsafe(`set local role ${role}`);
          result = await work(tx as unknown as TestDatabase['sql']);
          throw new RollbackSignal();
        })
        .catch((error: unknown) => {
          if (!(error instanceof RollbackSignal)) throw error;
        });
      return result!;
    }
    class RollbackSignal extends Error {}

    beforeAll(async () => {
      const { sql } = db();
      // The test role must be a member of the API roles to SET ROLE to them (Supabase's postgres role is).
      await sql`grant anon, authenticated, service_role to current_user`;
      await sql`insert into public.leads ${sql(LEAD)}`;
    });

    for (const role of ['anon', 'authenticated'] as const) {
      it(`lets ${role} read nothing by default: no lead column, no summary, no industries`, async () => {
        for (const column of ['id', 'first_name', 'email', 'job_title', 'company_name', 'score', 'record', 'converted', 'cost_usd', 'input_hash', 'narrative_checks', 'grounding_status']) {
          await expect(as(role, (sql) => sql.unsafe(`select ${column} from public.leads`)), column).rejects.toMatchObject({ code: '42501' });
        }
        await expect(as(role, (sql) => sql`select total from public.lead_summary`)).rejects.toMatchObject({ code: '42501' });
        await expect(as(role, (sql) => sql`select industry from public.lead_industries`)).rejects.toMatchObject({ code: '42501' });
      });
    }

    describe('the opt-in read for authenticated users (supabase/opt-in/authenticated_read.sql)', () => {
      let optIn: string;
      let undo: string;
      beforeAll(async () => {
        [optIn, undo] = await Promise.all([fs.readFile(path.join(OPT_IN, 'authenticated_read.sql'), 'utf8'), fs.readFile(path.join(OPT_IN, 'authenticated_read_undo.sql'), 'utf8')]);
      });

      it('is not a migration: db:migrate never applies it', async () => {
        expect((await readMigrations()).map((m) => m.sql).join('\n')).not.toContain('leads_authenticated_read');
      });

      it('lets authenticated read the columns the lead table shows and the summary views, and can be applied twice', async () => {
        const read = (sql: TestDatabase['sql']) => sql`select id, first_name, email, company_name, score, tier, enrichment_status, confidence from public.leads`;
        expect(await as('authenticated', read, [optIn, optIn])).toEqual([
          { id: 'rls-1', first_name: 'Ada', email: null, company_name: 'Acme', score: 40, tier: 'WARM', enrichment_status: 'none', confidence: null },
        ]);
        expect(await as('authenticated', (sql) => sql`select total, warm from public.lead_summary`, [optIn])).toEqual([{ total: 1, warm: 1 }]);
      });

      for (const column of ['record', 'converted', 'cost_usd', 'input_tokens', 'input_hash']) {
        it(`still denies authenticated the ${column} column`, async () => {
          await expect(as('authenticated', (sql) => sql.unsafe(`select ${column} from public.leads`), [optIn])).rejects.toMatchObject({ code: '42501' });
        });
      }

      it('still gives anon nothing, and no write to authenticated', async () => {
        await expect(as('anon', (sql) => sql`select id from public.leads`, [optIn])).rejects.toMatchObject({ code: '42501' });
        await expect(as('authenticated', (sql) => sql`update public.leads set score = 99`, [optIn])).rejects.toMatchObject({ code: '42501' });
      });

      it('is undone by authenticated_read_undo.sql', async () => {
        await expect(as('authenticated', (sql) => sql`select id from public.leads`, [optIn, undo])).rejects.toMatchObject({ code: '42501' });
      });
    });

    it('denies anon every write', async () => {
      const row = { ...LEAD, id: 'rls-2', record: { ...LEAD.record, id: 'rls-2' } };
      await expect(as('anon', (sql) => sql`insert into public.leads ${sql(row)}`)).rejects.toMatchObject({ code: '42501' });
      await expect(as('anon', (sql) => sql`update public.leads set score = 99`)).rejects.toMatchObject({ code: '42501' });
      await expect(as('anon', (sql) => sql`delete from public.leads`)).rejects.toMatchObject({ code: '42501' });
      await expect(as('authenticated', (sql) => sql`update public.leads set score = 99`)).rejects.toMatchObject({ code: '42501' });
      await expect(as('anon', (sql) => sql`select public.save_enrichments('[]'::jsonb)`)).rejects.toMatchObject({ code: '42501' });
    });

    it('keeps the rate-limit table and functions and the migration log away from anon', async () => {
      await expect(as('anon', (sql) => sql`select * from public.rate_limits`)).rejects.toMatchObject({ code: '42501' });
      await expect(as('anon', (sql) => sql`select * from public.rate_limit_hit('k', 5, 60)`)).rejects.toMatchObject({ code: '42501' });
      await expect(as('authenticated', (sql) => sql`insert into public.rate_limits values ('k', now(), 60, 1)`)).rejects.toMatchObject({ code: '42501' });
      await expect(as('anon', (sql) => sql`select * from public.schema_migrations`)).rejects.toMatchObject({ code: '42501' });
    });

    it('keeps SDR feedback (who said what) to the service role', async () => {
      const row = {
        lead_id: 'rls-1', narrative_enriched_at: '2026-11-01T09:00:00Z', author_key: 'local', verdict: 'wrong', reason: null, narrative_source: 'claude',
        narrative_model: 'claude-sonnet-5-5', narrative_prompt_version: 'v1', narrative_confidence: 'high', narrative_flagged: true, given_at: '2026-11-02T09:00:00Z',
      };
      for (const role of ['anon', 'authenticated'] as const) {
        await expect(as(role, (sql) => sql`select * from public.narrative_feedback`)).rejects.toMatchObject({ code: '42501' });
        await expect(as(role, (sql) => sql`insert into public.narrative_feedback ${sql(row)}`)).rejects.toMatchObject({ code: '42501' });
      }
      const count = await as('service_role', async (sql) => {
        await sql`insert into public.narrative_feedback ${sql(row)}`;
        const [counted] = await sql<{ n: number }[]>`select count(*)::int as n from public.narrative_feedback`;
        return counted!.n;
      });
      expect(count).toBe(1);
    });

    it('keeps score history and the rescore function to the service role', async () => {
      for (const role of ['anon', 'authenticated'] as const) {
        await expect(as(role, (sql) => sql`select * from public.score_history`)).rejects.toMatchObject({ code: '42501' });
        await expect(as(role, (sql) => sql`select public.rescore_leads('[]'::jsonb, now())`)).rejects.toMatchObject({ code: '42501' });
      }
      const [result] = await as('service_role', (sql) => sql`select public.rescore_leads('[]'::jsonb, now()) as result`);
      expect(result).toEqual({ result: { rescored: 0, history: 0 } });
    });

    it('keeps the live budget table and functions away from anon and authenticated', async () => {
      await expect(as('anon', (sql) => sql`select * from public.live_budget`)).rejects.toMatchObject({ code: '42501' });
      await expect(as('authenticated', (sql) => sql`select * from public.live_budget_reserve(0, 5, 1)`)).rejects.toMatchObject({ code: '42501' });
      await expect(as('anon', (sql) => sql`select * from public.live_budget_settle(current_date, 0, 0)`)).rejects.toMatchObject({ code: '42501' });
      await expect(as('authenticated', (sql) => sql`insert into public.live_budget (day) values (current_date)`)).rejects.toMatchObject({ code: '42501' });
      const [reserved] = await as('service_role', (sql) => sql`select allowed, calls from public.live_budget_reserve(0.01, 5, 1)`);
      expect(reserved).toEqual({ allowed: true, calls: 1 });
    });

    it('keeps the field coverage view (it names the custom columns) to the service role', async () => {
      for (const role of ['anon', 'authenticated'] as const) {
        await expect(as(role, (sql) => sql`select * from public.lead_field_coverage`)).rejects.toMatchObject({ code: '42501' });
      }
      const rows = await as('service_role', (sql) => sql`select field, leads from public.lead_field_coverage`);
      expect(Array.isArray(rows)).toBe(true);
    });

    it('lets the service role write leads, enrichments and rate-limit counters', async () => {
      const result = await as('service_role', async (sql) => {
        const row = { ...LEAD, id: 'rls-3', record: { ...LEAD.record, id: 'rls-3' } };
        await sql`insert into public.leads ${sql(row)}`;
        await sql`update public.leads set score = 55 where id = 'rls-3'`;
        const [hit] = await sql`select allowed from public.rate_limit_hit('svc', 5, 60)`;
        const [counter] = await sql`select hits from public.rate_limits where key = 'svc'`;
        const deleted = await sql`delete from public.leads where id = 'rls-3' returning id`;
        return { hit, counter, deleted: deleted.length };
      });
      expect(result).toEqual({ hit: { allowed: true }, counter: { hits: 1 }, deleted: 1 });
    });

    it('keeps the sign-in schema (users, sessions, password hashes) away from anon and authenticated', async () => {
      for (const role of ['anon', 'authenticated'] as const) {
        for (const table of ['"user"', 'session', 'account', 'verification']) {
          await expect(as(role, (sql) => sql.unsafe(`select * from leadsignal_auth.${table}`)), `${role} ${table}`).rejects.toMatchObject({ code: '42501' });
        }
      }
      const tables = await db().sql<{ relname: string; relrowsecurity: boolean }[]>`
        select relname, relrowsecurity from pg_class where relnamespace = 'leadsignal_auth'::regnamespace and relkind = 'r' order by relname`;
      expect(tables).toEqual(['account', 'session', 'user', 'verification'].map((relname) => ({ relname, relrowsecurity: true })));
    });

    it('has row level security enabled on every table, and no write grant to anon or authenticated', async () => {
      const tables = await db().sql<{ relname: string; relrowsecurity: boolean }[]>`
        select relname, relrowsecurity from pg_class where relnamespace = 'public'::regnamespace and relkind = 'r' order by relname`;
      expect(tables).toEqual([
        { relname: 'leads', relrowsecurity: true },
        { relname: 'live_budget', relrowsecurity: true },
        { relname: 'narrative_feedback', relrowsecurity: true },
        { relname: 'rate_limits', relrowsecurity: true },
        { relname: 'schema_migrations', relrowsecurity: true },
        { relname: 'score_history', relrowsecurity: true },
      ]);
      const writes = await db().sql`
        select grantee, table_name, privilege_type from information_schema.role_table_grants
        where table_schema = 'public' and grantee in ('anon', 'authenticated') and privilege_type <> 'SELECT'`;
      expect(writes).toEqual([]);
    });
  });
});
