/**
 * Child process for tests/store/file-journal.test.ts: saves one enrichment after another into a file store
 * that folds its journal every few KB, printing `saved <lead id> <n>` once each save has resolved, until it
 * is killed. `n` counts saves (from <first n>, so a later run's saves are newer), so the test can tell which version of a lead's narrative must have survived.
 *
 * Usage: node --conditions=react-server --import tsx journal-writer-worker.ts <leads> <enrichments> <foldAtBytes> <id,id,…> <first n>
 */
import { DEFAULT_RULES } from '../../lib/default-rules';
import { createFileStore } from '../../lib/store/file';
import { testEnrichment } from './test-enrichment';

const [leadsPath, enrichmentsPath, foldAtBytes, idList, firstN] = process.argv.slice(2);
if (!leadsPath || !enrichmentsPath || !foldAtBytes || !idList || !firstN) throw new Error('usage: journal-writer-worker <leads> <enrichments> <foldAtBytes> <ids> <first n>');

const store = createFileStore({ leadsPath, enrichmentsPath, rules: DEFAULT_RULES, foldAtBytes: Number(foldAtBytes) });
const ids = idList.split(',');
process.stdout.write('ready\n');

for (let n = Number(firstN); ; n++) {
  const id = ids[n % ids.length]!;
  await store.saveEnrichments([
    testEnrichment(id, {
      fit_narrative: `Save number ${n} by process ${process.pid}. ${'Padding to make folds frequent. '.repeat(8)}`,
      // Strictly increasing, so the latest save of a lead is the one the store must show.
      enriched_at: new Date(Date.parse('2026-11-01T00:00:00.000Z') + n).toISOString(),
    }),
  ]);
  process.stdout.write(`saved ${id} ${n}\n`);
}
