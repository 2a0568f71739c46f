import { vi } from 'vitest';

/**
 * The environment the live route's tests start from (stubbed, so nothing leaks in from the shell): mock
 * mode, live calls on, 5 per hour per client, no trusted proxy, the default daily budget; plus the store's
 * own settings given by each test file.
 */
export function stubLiveRouteEnv(store: Record<string, string>): void {
  const settings: Record<string, string> = {
    ANTHROPIC_API_KEY: '',
    ANTHROPIC_BASE_URL: '',
    SCORING_RULES: '',
    SCORING_AS_OF: '',
    ENRICH_LIVE_ENABLED: 'true',
    ENRICH_RATE_LIMIT: '5',
    ENRICH_RATE_WINDOW: '1h',
    TRUST_PROXY_HOPS: '0',
    ENRICH_LIVE_DAILY_LIMIT: '200',
    ENRICH_LIVE_DAILY_USD: '5',
    ...store,
  };
  for (const [name, value] of Object.entries(settings)) vi.stubEnv(name, value);
}
