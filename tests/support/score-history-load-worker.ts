/**
 * Child process for tests/store/file-score-history.test.ts: opens a file store under the rule set in a JSON
 * file, waits for "go" on stdin (so several processes load at the same moment), loads it, prints "loaded".
 *
 * Usage: node --conditions=react-server --import tsx score-history-load-worker.ts <leads> <enrichments> <rules.json> <at ISO>
 */
import { readFileSync } from 'node:fs';
import { createFileStore } from '../../lib/store/file';

const [leadsPath, enrichmentsPath, rulesPath, at] = process.argv.slice(2);
if (!leadsPath || !enrichmentsPath || !rulesPath || !at) throw new Error('usage: score-history-load-worker <leads> <enrichments> <rules.json> <at>');

const store = createFileStore({ leadsPath, enrichmentsPath, rules: JSON.parse(readFileSync(rulesPath, 'utf8')), asOf: '2026-11-01T00:00:00.000Z', clock: () => new Date(at), recordScoreHistory: true });
process.stdout.write('ready\n');
process.stdin.once('data', () => {
  void store.summary().then(() => {
    process.stdout.write('loaded\n');
    process.exit(0);
  });
});
