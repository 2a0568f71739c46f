/**
 * `npm start` and `npm run dev`: `next start` / `next dev` on HOST (default 127.0.0.1, this machine only)
 * and PORT (default 3000). Plain JavaScript, so starting the server needs nothing but Node and Next.
 * Listening anywhere else needs sign-in or AUTH_MODE=none: instrumentation.ts checks the address the
 * server is really bound to and refuses to start otherwise, however it was started.
 *
 *   HOST=0.0.0.0 npm start        # every interface (with AUTH_MODE=oidc or password)
 *   npm start -- --keepAliveTimeout 70000   # further flags go to next start
 */
import { spawn } from 'node:child_process';
import { createRequire } from 'node:module';
import { constants } from 'node:os';

const [command = 'start', ...rest] = process.argv.slice(2);
if (command !== 'start' && command !== 'dev') {
  console.error(`serve: unknown command "${command}" (start or dev)`);
  process.exit(2);
}
const host = process.env.HOST?.trim() || '127.0.0.1';
const port = process.env.PORT?.trim() || '3000';
if (!/^\d{1,5}$/.test(port) || Number(port) < 1 || Number(port) > 65_535) {
  console.error(`serve: PORT must be a port number (1-65535), got "${port}"`);
  process.exit(2);
}

const nextBin = createRequire(import.meta.url).resolve('next/dist/bin/next');
const child = spawn(process.execPath, [nextBin, command, '-H', host, '-p', port, ...rest], { stdio: 'inherit' });
// Signals are passed on (Next ignores the duplicate a terminal's Ctrl-C also sends it), and this
// process ends when the server does, with its exit code.
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP']) process.on(signal, () => child.kill(signal));
child.on('exit', (code, signal) => process.exit(code ?? 128 + (constants.signals[signal] ?? 1)));
