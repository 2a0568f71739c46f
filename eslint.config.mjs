import nextVitals from 'eslint-config-next/core-web-vitals';
import nextTs from 'eslint-config-next/typescript';

/**
 * Pages and components reach data only through the store interface (`@/lib/store`, `@/lib/store/types`)
 * and the pure core, never an adapter or a database driver: swapping the backend must not touch the UI.
 */
const PAGE_IMPORT_RULE = [
  'error',
  {
    patterns: [
      {
        group: ['@/lib/store/*', '!@/lib/store/types', '../lib/store/*', '../../lib/store/*'],
        message: 'Pages and components use the store interface (@/lib/store or @/lib/store/types), never an adapter.',
      },
      { group: ['@/lib/db/*', '@/lib/rate-limit/*', '@/lib/import/*'], message: 'Server plumbing stays behind lib/; pages read through the store interface.' },
      { group: ['@supabase/*'], message: 'No database client in pages or components: go through the store interface.' },
    ],
    // Exact package names (a pattern "postgres" would also match @/lib/store/postgres).
    paths: ['postgres', 'pg'].map((name) => ({ name, message: 'No database driver in pages or components: go through the store interface.' })),
  },
];

const config = [
  ...nextVitals,
  ...nextTs,
  { ignores: ['.next/**', 'node_modules/**', 'test-results/**', 'next-env.d.ts', 'assembly/**'] },
  {
    rules: {
      // `const { converted: _outcome, ...rest } = lead` is how the outcome is stripped.
      '@typescript-eslint/no-unused-vars': ['warn', { ignoreRestSiblings: true, varsIgnorePattern: '^_', argsIgnorePattern: '^_' }],
    },
  },
  {
    files: ['app/**/*.{ts,tsx}', 'components/**/*.{ts,tsx}'],
    rules: { 'no-restricted-imports': PAGE_IMPORT_RULE },
  },
];

export default config;
