/**
 * Child process for tests/file-lock.test.ts: takes `<target>.lock`, says "locked", and holds it until it is
 * killed (or, given a count, increments a counter file under the lock that many times and exits).
 *
 * Usage: node --import tsx lock-holder-worker.ts <target> [<increments>]
 */
import { promises as fs } from 'node:fs';
import { withFileLock } from '../../lib/file-lock';

const [target, increments] = process.argv.slice(2);
if (!target) throw new Error('usage: lock-holder-worker <target> [<increments>]');

if (increments === undefined) {
  await withFileLock(target, async () => {
    process.stdout.write('locked\n');
    // A pending promise alone would let the process exit: keep the event loop busy until the kill.
    await new Promise(() => setInterval(() => {}, 60_000));
  });
} else {
  for (let i = 0; i < Number(increments); i++) {
    await withFileLock(target, async () => {
      const value = Number(await fs.readFile(target, 'utf8').catch(() => '0'));
      await fs.writeFile(target, String(value + 1));
    });
  }
}
