/**
 * Next.js calls register() once per server process, before the first request is handled. LeadSignal's
 * start-up checks live in lib/startup.ts; a failed check stops the server with one clear line.
 */
export async function register() {
  // Only the Node.js server: not the build (which also loads this file), not an edge runtime.
  if (process.env.NEXT_RUNTIME !== 'nodejs' || process.env.NEXT_PHASE === 'phase-production-build') return;
  await (await import('./lib/startup')).runStartupChecks();
}
