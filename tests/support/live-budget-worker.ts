/**
 * A stand-in app instance for tests/live-budget/postgres.test.ts: its own process and connection pool.
 * Waits for "go" on stdin, fires `count` concurrent reservations of `worstUsd` each, and prints the decisions.
 */
import { createInterface } from 'node:readline';
import { connectPostgres } from '../../lib/db/connect';
import { createPostgresLiveBudget } from '../../lib/live-budget/postgres';

const [url, count, worstUsd, maxCalls, maxUsd] = process.argv.slice(2);
const sql = connectPostgres(url!, { max: 10 });
const budget = createPostgresLiveBudget(sql, { calls: Number(maxCalls), usd: Number(maxUsd) });
await sql`select 1`; // connect before the start signal
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'go') continue;
  const decisions = await Promise.all(Array.from({ length: Number(count) }, () => budget.reserve(Number(worstUsd))));
  process.stdout.write(`${JSON.stringify(decisions)}\n`);
  break;
}
await sql.end();
