/**
 * A stand-in app instance for the PostgreSQL race tests: its own process and connection pool. Waits for
 * "go" on stdin (so every instance starts at once), fires `count` concurrent calls, and prints their
 * results as JSON.
 *
 *   rate-limit  <url> <count> <key> <limit> <windowSeconds>   limiter.check(key)
 *   live-budget <url> <count> <worstUsd> <maxCalls> <maxUsd>  budget.reserve(worstUsd)
 */
import { createInterface } from 'node:readline';
import { connectPostgres } from '../../lib/db/connect';
import { createPostgresLiveBudget } from '../../lib/live-budget/postgres';
import { createPostgresRateLimiter } from '../../lib/rate-limit/postgres';

const [kind, url, count, a, b, c] = process.argv.slice(2);
const sql = connectPostgres(url!, { max: 10 });
let call: () => Promise<unknown>;
if (kind === 'rate-limit') {
  const limiter = createPostgresRateLimiter(sql, { limit: Number(b), windowSeconds: Number(c) });
  call = () => limiter.check(a!);
} else if (kind === 'live-budget') {
  const budget = createPostgresLiveBudget(sql, { calls: Number(b), usd: Number(c) });
  call = () => budget.reserve(Number(a));
} else {
  throw new Error(`unknown race "${kind}"`);
}
await sql`select 1`; // connect before the start signal
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'go') continue;
  const results = await Promise.all(Array.from({ length: Number(count) }, call));
  process.stdout.write(`${JSON.stringify(results)}\n`);
  break;
}
await sql.end();
