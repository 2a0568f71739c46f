import { copyFile, mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { TestProject } from 'vitest/node';
import { buildNext, hasBuild, startNext } from '../../scripts/next-server';

/**
 * Builds the app with fake secrets in the build environment (the secrets test then checks none reached
 * the browser bundle), and starts it in mock mode on a temp copy of the bundled leads, so tests never
 * modify data/. E2E_SKIP_BUILD=1 reuses an existing `.next` while iterating (the secrets test then skips).
 */

export const BUILD_SECRETS = {
  ANTHROPIC_API_KEY: 'sk-ant-test-SECRET-123',
  SUPABASE_SERVICE_ROLE_KEY: 'service-role-SECRET-456',
  AUTH_SECRET: 'auth-cookie-signing-SECRET-789-0123456789',
  AUTH_OIDC_CLIENT_SECRET: 'oidc-client-SECRET-abc',
};
export const E2E_RATE_LIMIT = 2;

declare module 'vitest' {
  export interface ProvidedContext {
    baseUrl: string;
    /** Secret values present in the environment of the build under test; empty when the build was reused. */
    buildSecrets: string[];
    rateLimit: number;
  }
}

export default async function setup(project: TestProject) {
  const dataDir = await mkdtemp(path.join(tmpdir(), 'leadsignal-e2e-'));
  const leadsPath = path.join(dataDir, 'leads.json');
  await copyFile(path.resolve('data/synthetic_leads.json'), leadsPath);

  const reuse = process.env.E2E_SKIP_BUILD === '1' && hasBuild();
  if (!reuse) {
    const started = Date.now();
    console.log('[e2e] next build …');
    await buildNext(BUILD_SECRETS);
    console.log(`[e2e] next build done in ${((Date.now() - started) / 1000).toFixed(0)} s`);
  }

  const server = await startNext({
    LEADS_PATH: leadsPath,
    ENRICHMENTS_PATH: path.join(dataDir, 'enrichments.json'),
    ENRICH_RATE_LIMIT: String(E2E_RATE_LIMIT),
    ENRICH_RATE_WINDOW: '1h',
  });
  console.log(`[e2e] next start on ${server.url} (data in ${dataDir})`);

  project.provide('baseUrl', server.url);
  project.provide('buildSecrets', reuse ? [] : Object.values(BUILD_SECRETS));
  project.provide('rateLimit', E2E_RATE_LIMIT);

  return async () => {
    await server.stop();
    await rm(dataDir, { recursive: true, force: true });
  };
}
