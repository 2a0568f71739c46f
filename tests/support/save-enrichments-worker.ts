/**
 * Child process for tests/store/file.test.ts: opens its own file store over the given files, says
 * "ready", waits for "go" on stdin (so both workers write at the same moment), then saves one
 * enrichment per lead id, all at once, and exits.
 *
 * Usage: node --conditions=react-server --import tsx save-enrichments-worker.ts <leads> <enrichments> <asOf> <id,id,…>
 */
import { createInterface } from 'node:readline';
import { DEFAULT_RULES } from '../../lib/default-rules';
import { createFileStore } from '../../lib/store/file';

const [leadsPath, enrichmentsPath, asOf, idList] = process.argv.slice(2);
if (!leadsPath || !enrichmentsPath || !asOf || !idList) throw new Error('usage: save-enrichments-worker <leads> <enrichments> <asOf> <ids>');

const store = createFileStore({ leadsPath, enrichmentsPath, rules: DEFAULT_RULES, asOf });
const ids = idList.split(',');

const lines = createInterface({ input: process.stdin });
process.stdout.write('ready\n');
for await (const line of lines) if (line.trim() === 'go') break;
lines.close();

await Promise.all(
  ids.map((id) =>
    store.saveEnrichments([
      {
        lead_id: id,
        fit_narrative: `Written by process ${process.pid}.`,
        recommended_action: 'Call.',
        confidence: 'medium',
        source: 'mock',
        model: 'mock-enricher',
        prompt_version: 'worker-v1',
        input_hash: 'h_worker',
        rules_version: 'r_worker',
        score: 50,
        usage: { input_tokens: 1, output_tokens: 1, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
        cost_usd: 0,
        latency_ms: 1,
        enriched_at: new Date().toISOString(),
      },
    ]),
  ),
);
process.stdout.write(`saved ${ids.length}\n`);
