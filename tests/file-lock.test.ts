import { spawn, type ChildProcess } from 'node:child_process';
import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { withFileLock } from '@/lib/file-lock';

/**
 * The cross-process lock: exclusive across processes, and a dead owner's lock broken at once. "At once" is
 * shown without timing anything: every acquisition here is given a 1 s timeout, far below the 30 s a lock
 * had to age before it counted as stale, so a lock that was waited for rather than broken fails the test.
 */

const WORKER = path.resolve('tests/support/lock-holder-worker.ts');
const QUICK = { timeoutMs: 1_000 };
let dir: string;
let target: string;
const children: ChildProcess[] = [];

beforeEach(async () => {
  dir = await fs.mkdtemp(path.join(os.tmpdir(), 'leadsignal-lock-'));
  target = path.join(dir, 'data.json');
});
afterEach(async () => {
  for (const child of children.splice(0)) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
  await fs.rm(dir, { recursive: true, force: true });
});

function worker(args: string[]): { child: ChildProcess; locked: Promise<void>; exited: Promise<number | null> } {
  const child = spawn(process.execPath, ['--import', 'tsx', WORKER, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  children.push(child);
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  const exited = new Promise<number | null>((resolve) => child.on('close', resolve));
  const locked = new Promise<void>((resolve, reject) => {
    child.stdout!.on('data', (d: Buffer) => d.toString().includes('locked') && resolve());
    void exited.then((code) => reject(new Error(`lock holder exited (${code}): ${err}`)));
  });
  locked.catch(() => {});
  return { child, locked, exited };
}

/** A pid that certainly belongs to no process: a child that has exited. */
async function deadPid(): Promise<number> {
  const child = spawn(process.execPath, ['-e', '0']);
  await new Promise((resolve) => child.on('close', resolve));
  return child.pid!;
}

describe('withFileLock', () => {
  it('breaks the lock of an owner killed with SIGKILL at once', async () => {
    const holder = worker([target]);
    await holder.locked;
    const owner = JSON.parse(await fs.readFile(`${target}.lock`, 'utf8')) as { pid: number; host: string; started: string | null };
    expect(owner).toMatchObject({ pid: holder.child.pid, host: os.hostname() });
    expect(owner.started).toMatch(/^[\w-]+:\d+$/);

    await expect(withFileLock(target, async () => 'mine', { ...QUICK, tryOnly: true })).resolves.toBeNull();
    holder.child.kill('SIGKILL');
    await holder.exited;
    await expect(withFileLock(target, async () => 'mine', QUICK)).resolves.toBe('mine');
    await expect(fs.stat(`${target}.lock`)).rejects.toMatchObject({ code: 'ENOENT' });
  });

  it('waits for a live owner and times out naming it', async () => {
    const holder = worker([target]);
    await holder.locked;
    await expect(withFileLock(target, async () => 'mine', { timeoutMs: 200 })).rejects.toMatchObject({
      code: 'STORE_ERROR',
      message: expect.stringContaining(`"pid":${holder.child.pid}`),
    });
  });

  it('breaks a lock whose pid now belongs to a process started later (pid reuse)', async () => {
    await fs.writeFile(`${target}.lock`, JSON.stringify({ pid: process.pid, host: os.hostname(), started: 'another-boot:123', token: 't-old' }));
    await expect(withFileLock(target, async () => 'mine', QUICK)).resolves.toBe('mine');
  });

  it('breaks an old-format lock (a bare pid) of a dead process, and keeps one of a live process', async () => {
    await fs.writeFile(`${target}.lock`, `${await deadPid()}\n`);
    await expect(withFileLock(target, async () => 'mine', QUICK)).resolves.toBe('mine');
    await fs.writeFile(`${target}.lock`, `${process.ppid}\n`);
    await expect(withFileLock(target, async () => 'mine', { timeoutMs: 100 })).rejects.toMatchObject({ code: 'STORE_ERROR' });
  });

  it('judges an owner on another host by age: a fresh lock is kept, a stale one broken', async () => {
    const foreign = JSON.stringify({ pid: 1, host: 'some-other-host', started: null, token: 't-foreign' });
    await fs.writeFile(`${target}.lock`, foreign);
    await expect(withFileLock(target, async () => 'mine', { ...QUICK, tryOnly: true })).resolves.toBeNull();
    const old = new Date(Date.now() - 60_000);
    await fs.utimes(`${target}.lock`, old, old);
    await expect(withFileLock(target, async () => 'mine', QUICK)).resolves.toBe('mine');
  });

  it('is exclusive across processes: 3 × 150 read-increment-writes lose none', async () => {
    const workers = [worker([target, '150']), worker([target, '150']), worker([target, '150'])];
    expect(await Promise.all(workers.map((w) => w.exited))).toEqual([0, 0, 0]);
    expect(await fs.readFile(target, 'utf8')).toBe('450');
    expect((await fs.readdir(dir)).sort()).toEqual(['data.json']);
  }, 60_000);
});
