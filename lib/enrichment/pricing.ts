import type { TokenUsage } from './schema';

/**
 * The one price table for Claude calls, in USD per million tokens (list prices of the Claude API,
 * platform.claude.com model pages, checked late 2026). Update this file, and only this file, when
 * Anthropic changes a price. A model that is not listed has no price: costs are reported as unknown,
 * never guessed.
 *
 * Prompt caching: a 5-minute cache write costs 1.25× the input price and a cache hit 0.1×, except
 * where a model's page lists a lower hit price (Sonnet 5.5 and Opus 5.5 read the cache at 0.05×).
 * The Message Batches API halves every token price, and the caching multipliers stack on top.
 * Haiku 5.5 costs more for prompts over 100,000 tokens; enrichment prompts are ~1,000, so only the
 * lower band is listed.
 */
export interface ModelPrice {
  inputPerMTok: number;
  outputPerMTok: number;
  /** Cache hits as a fraction of the input price. */
  cacheReadMultiplier: number;
}

export const CACHE_WRITE_MULTIPLIER = 1.25;
export const DEFAULT_CACHE_READ_MULTIPLIER = 0.1;
export const BATCH_DISCOUNT = 0.5;

const price = (inputPerMTok: number, outputPerMTok: number, cacheReadMultiplier = DEFAULT_CACHE_READ_MULTIPLIER): ModelPrice => ({
  inputPerMTok,
  outputPerMTok,
  cacheReadMultiplier,
});

/** Sonnet, Opus and Haiku ids of the installed SDK's `Model` type. */
export const MODEL_PRICES: Readonly<Record<string, ModelPrice>> = {
  'claude-opus-5-5': price(4, 20, 0.05),
  'claude-opus-5': price(5, 25),
  'claude-opus-4-8': price(5, 25),
  'claude-opus-4-7': price(5, 25),
  'claude-opus-4-6': price(5, 25),
  'claude-opus-4-5': price(5, 25),
  'claude-opus-4-5-20251101': price(5, 25),
  'claude-sonnet-5-5': price(2, 10, 0.05),
  'claude-sonnet-5': price(2, 10),
  'claude-sonnet-4-6': price(3, 15),
  'claude-sonnet-4-5': price(3, 15),
  'claude-sonnet-4-5-20250929': price(3, 15),
  'claude-haiku-5-5': price(0.1, 0.5),
  'claude-haiku-4-5': price(1, 5),
  'claude-haiku-4-5-20251001': price(1, 5),
};

/**
 * Characters per token for estimates made before anything is sent (dry runs, budget reservations).
 * English prose is ~4 characters per token on older tokenizers; the tokenizer of the 4.7+ and 5.x
 * models counts ~30% more tokens for the same text, so 3.5 errs on the side of a higher estimate.
 */
export const CHARS_PER_TOKEN = 3.5;

export function estimateTokens(text: string): number {
  return Math.ceil(text.length / CHARS_PER_TOKEN);
}

export function modelPrice(model: string): ModelPrice | null {
  return MODEL_PRICES[model] ?? null;
}

/** What one call's usage costs, or null when the model has no known price. */
export function usageCostUsd(model: string, usage: TokenUsage, { batch = false }: { batch?: boolean } = {}): number | null {
  const p = modelPrice(model);
  if (!p) return null;
  const input =
    usage.input_tokens +
    usage.cache_creation_input_tokens * CACHE_WRITE_MULTIPLIER +
    usage.cache_read_input_tokens * p.cacheReadMultiplier;
  const dollars = (input * p.inputPerMTok + usage.output_tokens * p.outputPerMTok) / 1_000_000;
  return batch ? dollars * BATCH_DISCOUNT : dollars;
}

/** "$0.0123", "$4.56", or "unknown" for a model with no price on file: for summaries. */
export function formatUsd(n: number | null): string {
  return n === null ? 'unknown (no price on file for this model)' : `$${n < 1 ? n.toFixed(4) : n.toFixed(2)}`;
}
