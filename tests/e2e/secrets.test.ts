import { readdir, readFile } from 'node:fs/promises';
import path from 'node:path';
import { describe, expect, inject, it } from 'vitest';

/**
 * The global setup builds with fake secrets in the environment. Nothing the browser downloads
 * (.next/static) may contain their values, nor even the names of server-only variables: a name in a
 * client bundle means server env handling leaked into client code.
 */

const secrets = inject('buildSecrets');
// Not AUTH_SECRET: Better Auth's browser client carries its env reader, which names it (and reads
// nothing in a browser); the value itself is among the secrets checked.
const SERVER_ONLY_NAMES = ['ANTHROPIC_API_KEY', 'SUPABASE_SERVICE_ROLE_KEY', 'DATABASE_URL', 'AUTH_OIDC_CLIENT_SECRET'];

async function filesUnder(dir: string): Promise<string[]> {
  const entries = await readdir(dir, { withFileTypes: true, recursive: true });
  return entries.filter((e) => e.isFile()).map((e) => path.join(e.parentPath, e.name));
}

describe('client bundle', () => {
  it.skipIf(secrets.length === 0)('contains no secret value and no server-only variable name', async () => {
    const files = await filesUnder(path.resolve('.next/static'));
    const scripts = files.filter((f) => f.endsWith('.js'));
    expect(scripts.length).toBeGreaterThan(5);
    const leaks: string[] = [];
    for (const file of files) {
      const text = await readFile(file, 'latin1');
      for (const needle of [...secrets, ...SERVER_ONLY_NAMES]) {
        if (text.includes(needle)) leaks.push(`${path.relative(process.cwd(), file)}: ${needle}`);
      }
    }
    expect(leaks).toEqual([]);
  });
});
