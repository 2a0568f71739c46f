import 'server-only';
import Anthropic from '@anthropic-ai/sdk';
import { env, type Env } from '../env';

/**
 * The Anthropic client, built from the validated environment. No ANTHROPIC_API_KEY means mock mode:
 * the caller gets `null` and `enrichLead` writes labelled mock narratives instead of calling Claude.
 * Retries (429, 5xx, 529, connection errors, honouring retry-after) are the SDK's own.
 */
export const DEFAULT_MAX_RETRIES = 4;
export const DEFAULT_TIMEOUT_MS = 60_000;

export interface ClaudeClientOptions {
  maxRetries?: number;
  timeoutMs?: number;
}

export type ClaudeConfig = Pick<Env, 'ANTHROPIC_API_KEY' | 'ANTHROPIC_BASE_URL'>;

export function createClaudeClient(
  config: ClaudeConfig = env(),
  { maxRetries = DEFAULT_MAX_RETRIES, timeoutMs = DEFAULT_TIMEOUT_MS }: ClaudeClientOptions = {},
): Anthropic | null {
  if (!config.ANTHROPIC_API_KEY) return null;
  return new Anthropic({
    apiKey: config.ANTHROPIC_API_KEY,
    baseURL: config.ANTHROPIC_BASE_URL ?? null,
    maxRetries,
    timeout: timeoutMs,
  });
}
