import Anthropic from '@anthropic-ai/sdk';
import { parseLeads, type Lead } from '@/lib/lead';
import { AS_OF, generateLeads } from '@/lib/synthetic';

/** Shared inputs for the enrichment tests: synthetic leads and an SDK client pointed at a fake server. */

export const NOW = new Date(AS_OF);
export const MODEL = 'claude-sonnet-5-5';

export function sampleLeads(count: number, seed = 11): Lead[] {
  const { leads, issues } = parseLeads(generateLeads({ count, seed }));
  if (issues.length) throw new Error(`synthetic leads are invalid: ${JSON.stringify(issues[0])}`);
  return leads;
}

export function fakeClient(baseURL: string, { maxRetries = 2, timeoutMs = 5_000 } = {}): Anthropic {
  return new Anthropic({ apiKey: 'sk-ant-test-dummy', baseURL, maxRetries, timeout: timeoutMs });
}
