/**
 * A stand-in app instance for tests/rate-limit/postgres.test.ts: its own process and connection pool.
 * Waits for "go" on stdin (so every instance starts at once), fires `count` concurrent checks of one
 * key, and prints the decisions as JSON.
 */
import { createInterface } from 'node:readline';
import { connectPostgres } from '../../lib/db/connect';
import { createPostgresRateLimiter } from '../../lib/rate-limit/postgres';

const [url, key, count, limit, windowSeconds] = process.argv.slice(2);
const sql = connectPostgres(url!, { max: 10 });
const limiter = createPostgresRateLimiter(sql, { limit: Number(limit), windowSeconds: Number(windowSeconds) });
await sql`select 1`; // connect before the start signal
process.stdout.write('ready\n');
for await (const line of createInterface({ input: process.stdin })) {
  if (line.trim() !== 'go') continue;
  const decisions = await Promise.all(Array.from({ length: Number(count) }, () => limiter.check(key!)));
  process.stdout.write(`${JSON.stringify(decisions)}\n`);
  break;
}
await sql.end();
