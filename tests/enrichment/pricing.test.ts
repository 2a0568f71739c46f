import { describe, expect, it } from 'vitest';
import { MODEL_PRICES, modelPrice, usageCostUsd } from '@/lib/enrichment/pricing';

const usage = { input_tokens: 1_000_000, output_tokens: 1_000_000, cache_creation_input_tokens: 1_000_000, cache_read_input_tokens: 1_000_000 };

describe('pricing', () => {
  it('prices input, output, cache writes (1.25×) and cache reads per model', () => {
    // Sonnet 4.6: $3 in, $15 out, write 3.75, read 0.30
    expect(usageCostUsd('claude-sonnet-4-6', usage)).toBeCloseTo(3 + 15 + 3.75 + 0.3, 10);
    // Sonnet 5.5: $2 in, $10 out, write 2.50, read 0.10 (0.05×)
    expect(usageCostUsd('claude-sonnet-5-5', usage)).toBeCloseTo(2 + 10 + 2.5 + 0.1, 10);
  });

  it('halves everything on the Batches API', () => {
    expect(usageCostUsd('claude-haiku-5-5', usage, { batch: true })).toBeCloseTo(usageCostUsd('claude-haiku-5-5', usage)! / 2, 12);
  });

  it('has no price for an unknown model, rather than a guess', () => {
    expect(modelPrice('claude-imaginary-9')).toBeNull();
    expect(usageCostUsd('claude-imaginary-9', usage)).toBeNull();
  });

  it('covers the current Sonnet, Opus and Haiku ids of the SDK Model type', () => {
    for (const id of ['claude-opus-5-5', 'claude-sonnet-5-5', 'claude-haiku-5-5', 'claude-opus-4-8', 'claude-sonnet-4-6', 'claude-haiku-4-5']) {
      expect(MODEL_PRICES[id]).toBeDefined();
    }
  });
});
