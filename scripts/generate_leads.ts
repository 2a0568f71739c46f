/**
 * `npm run data:generate -- [--count 500] [--seed 20261127] [--out data/synthetic_leads.json]`
 * Thin wrapper around lib/synthetic.ts; the same arguments always produce the same bytes.
 */
import { writeStreamAtomic } from '../lib/fs-atomic';
import { generateLeads, serializedLeadChunks } from '../lib/synthetic';
import { createProgress, defineCommand, sharedFlags, wholeNumber } from './cli';

export default defineCommand(import.meta.url, {
  name: 'data:generate',
  summary: 'Writes seeded synthetic CRM leads with a hidden "converted" outcome; the same flags always give the same bytes.',
  flags: {
    count: { value: 'N', help: 'how many leads', schema: wholeNumber({ min: 0 }).default(500) },
    seed: { value: 'N', help: 'random seed', schema: wholeNumber().default(20261127) },
    out: { ...sharedFlags.out, help: 'leads JSON file to write, atomically', schema: sharedFlags.out.schema.default('data/synthetic_leads.json') },
  },
  async run({ flags: { count, seed, out } }) {
    const progress = createProgress({ label: 'data:generate', total: count });
    const leads = generateLeads({ count, seed, onProgress: (done) => progress.update(done, 'generated') });
    await writeStreamAtomic(out, serializedLeadChunks(leads));

    const conversions = leads.reduce((sum, lead) => sum + (lead.converted ? 1 : 0), 0);
    const rate = count === 0 ? 'n/a' : `${((100 * conversions) / count).toFixed(1)}%`;
    console.log(`Generated ${count} leads (seed ${seed}); base conversion rate ${rate} (${conversions}/${count}) → ${out}`);
  },
});
