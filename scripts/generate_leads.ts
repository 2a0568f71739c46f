/**
 * CLI: npm run data:generate -- [--count 500] [--seed 20261127] [--out data/synthetic_leads.json]
 * Thin wrapper around lib/synthetic.ts; the same arguments always produce the same bytes.
 */
import { parseArgs } from 'node:util';
import { AppError } from '../lib/errors';
import { writeFileAtomic } from '../lib/fs-atomic';
import { generateLeads, serializeLeads } from '../lib/synthetic';
import { runMain } from './cli';

const DEFAULT_COUNT = 500;
const DEFAULT_SEED = 20261127;
const DEFAULT_OUT = 'data/synthetic_leads.json';

function parseInteger(name: string, raw: string | undefined, fallback: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (raw.trim() === '' || !Number.isSafeInteger(value)) throw new AppError('INVALID_INPUT', `--${name} must be an integer, got "${raw}"`);
  return value;
}

runMain('data:generate', async () => {
  const { values } = parseArgs({
    options: {
      count: { type: 'string' },
      seed: { type: 'string' },
      out: { type: 'string' },
    },
    strict: true,
  });
  const count = parseInteger('count', values.count, DEFAULT_COUNT);
  const seed = parseInteger('seed', values.seed, DEFAULT_SEED);
  const out = values.out ?? DEFAULT_OUT;

  const leads = generateLeads({ count, seed });
  await writeFileAtomic(out, serializeLeads(leads));

  const conversions = leads.reduce((sum, lead) => sum + (lead.converted ? 1 : 0), 0);
  const rate = count === 0 ? 'n/a' : `${((100 * conversions) / count).toFixed(1)}%`;
  console.log(`Generated ${count} leads (seed ${seed}); base conversion rate ${rate} (${conversions}/${count}) → ${out}`);
});
