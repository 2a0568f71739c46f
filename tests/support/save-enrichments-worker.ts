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
import { testEnrichment } from './test-enrichment';

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
    store.saveEnrichments([testEnrichment(id, { fit_narrative: `Written by process ${process.pid}.`, confidence: 'medium', enriched_at: new Date().toISOString() })]),
  ),
);
process.stdout.write(`saved ${ids.length}\n`);
