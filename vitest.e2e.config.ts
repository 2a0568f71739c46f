import { defineConfig } from 'vitest/config';
import unitConfig from './vitest.config';

/**
 * Browser tests against the real app: a global setup builds it (`next build`) and serves it
 * (`next start`) on a temp copy of the data; each file drives headless Chromium. One file at a time in a
 * single fork: they share one server, and the machine has two cores.
 */
export default defineConfig({
  resolve: unitConfig.resolve,
  test: {
    include: ['tests/e2e/**/*.test.ts'],
    globalSetup: ['tests/e2e/global-setup.ts'],
    pool: 'forks',
    maxWorkers: 1,
    fileParallelism: false,
    testTimeout: 90_000,
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
