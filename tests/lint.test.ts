import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

/** The import boundary of pages and components is enforced by lint (eslint.config.mjs), not by habit. */
describe('lint: pages and components use the store interface only', () => {
  const eslint = new ESLint();
  const errors = async (code: string, filePath: string) =>
    (await eslint.lintText(code, { filePath }))[0]!.messages.filter((m) => m.ruleId === 'no-restricted-imports').map((m) => m.message);

  it.each([
    ["import { createPostgresStore } from '@/lib/store/postgres';", 'app/leads/[id]/page.tsx'],
    ["import { createFileStore } from '@/lib/store/file';", 'components/lead-table.tsx'],
    ["import { fromListRow } from '@/lib/store/sql/row-mapping';", 'app/(leads)/page.tsx'],
    ["import { connectPostgres } from '@/lib/db/connect';", 'app/validate/page.tsx'],
    ["import postgres from 'postgres';", 'app/api/enrich/route.ts'],
    ["import { createClient } from '@supabase/supabase-js';", 'components/data-source.tsx'],
  ])('refuses %s in %s', async (code, file) => {
    expect(await errors(`${code}\nexport const x = 1;\n`, file)).toHaveLength(1);
  });

  it('allows the interface, the core, and adapters outside pages', async () => {
    expect(await errors("import { getStore } from '@/lib/store';\nimport type { LeadRow } from '@/lib/store/types';\nimport { scoreLead } from '@/lib/scoring';\nexport const x = [getStore, scoreLead];\n", 'app/page.tsx')).toEqual([]);
    expect(await errors("import { createPostgresStore } from '@/lib/store/postgres';\nexport const x = createPostgresStore;\n", 'scripts/db_seed.ts')).toEqual([]);
  });
});
