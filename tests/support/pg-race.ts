import { spawn } from 'node:child_process';
import path from 'node:path';

const WORKER = path.join(process.cwd(), 'tests', 'support', 'pg-race-worker.ts');
const TSX = path.join(process.cwd(), 'node_modules', '.bin', 'tsx');

/**
 * Two app processes calling at the same moment, as two instances behind a load balancer would: each connects,
 * both are told "go" together, and their results come back in one list (see ./pg-race-worker.ts for `args`).
 */
export async function raceFromTwoProcesses<T>(args: string[]): Promise<T[]> {
  const workers = await Promise.all(
    [0, 1].map(
      () =>
        new Promise<{ go: () => void; result: Promise<T[]> }>((resolve, reject) => {
          const child = spawn(TSX, ['--conditions=react-server', WORKER, ...args], { stdio: 'pipe' });
          let out = '';
          let err = '';
          child.stderr.on('data', (d: Buffer) => (err += d.toString()));
          const result = new Promise<T[]>((done, fail) =>
            child.on('exit', (code) => {
              const last = out.trim().split('\n').at(-1) ?? '';
              if (code === 0 && last.startsWith('[')) done(JSON.parse(last) as T[]);
              else fail(new Error(`worker exited with ${code}: ${err || out}`));
            }),
          );
          child.stdout.on('data', (d: Buffer) => {
            out += d.toString();
            if (out.startsWith('ready\n')) resolve({ go: () => child.stdin.end('go\n'), result });
          });
          child.on('error', reject);
          result.catch(reject);
        }),
    ),
  );
  for (const w of workers) w.go();
  return (await Promise.all(workers.map((w) => w.result))).flat();
}
