import { randomUUID } from 'node:crypto';
import { promises as fs, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { AppError } from './errors';

/**
 * A cross-process lock for read-modify-write cycles on the app's files (the batch job, the web server and
 * the CLIs share data/): `<target>.lock`, created atomically with its owner already written in it (written
 * to a temp file, then hard-linked into place, so a lock is never empty or half-written).
 *
 * The owner is named by pid, host and process start time, so a waiter recognises a dead owner at once
 * (same host: the pid is gone, or now belongs to a process started at another time) and breaks the lock
 * instead of waiting for it to age. `proper-lockfile` was considered: it tells a dead owner only by an mtime
 * it stopped refreshing, so after its stale period (at least 2 s, 10 s by default), during which every waiter
 * waits. An owner on another host (a shared network drive) cannot be checked: its lock counts as dead once
 * it is older than LOCK_STALE_MS, and a live owner refreshes its lock's mtime well before that.
 */

const LOCK_STALE_MS = 30_000;
const HEARTBEAT_MS = 5_000;
const RETRY_MIN_MS = 2;
const RETRY_MAX_MS = 25;
export const DEFAULT_LOCK_TIMEOUT_MS = 20_000;

interface LockOwner {
  pid: number;
  host: string;
  /** Boot id and start time of the process (Linux); null where the system does not tell. */
  started: string | null;
  /** Unique per acquisition: releasing or breaking a lock checks it is still the one it read. */
  token: string;
}

function readProcFile(file: string): string | null {
  try {
    return readFileSync(file, 'utf8');
  } catch {
    return null;
  }
}

/** `<boot id>:<start time in clock ticks>` of a process, or null (no /proc, or no such process). */
function processStarted(pid: number): string | null {
  const stat = readProcFile(`/proc/${pid}/stat`);
  // Field 22 (starttime), counted after the ")" that ends the command name, which may itself hold spaces.
  const fields = stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
  const startTime = fields?.[19];
  const bootId = readProcFile('/proc/sys/kernel/random/boot_id')?.trim();
  return startTime && bootId ? `${bootId}:${startTime}` : null;
}

let self: Omit<LockOwner, 'token'> | undefined;
function me(): Omit<LockOwner, 'token'> {
  self ??= { pid: process.pid, host: os.hostname(), started: processStarted(process.pid) };
  return self;
}

/** A lock file's owner; a bare pid is how locks looked before owners were named (same host assumed). */
function parseOwner(text: string): LockOwner | null {
  try {
    const owner = JSON.parse(text) as Partial<LockOwner>;
    if (typeof owner.pid === 'number' && typeof owner.host === 'string' && typeof owner.token === 'string') {
      return { pid: owner.pid, host: owner.host, started: typeof owner.started === 'string' ? owner.started : null, token: owner.token };
    }
  } catch {
    // not JSON: maybe the old format
  }
  const pid = /^\s*(\d+)\s*$/.exec(text)?.[1];
  return pid ? { pid: Number(pid), host: os.hostname(), started: null, token: `legacy:${pid}` } : null;
}

function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: it exists but belongs to another user.
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Whether the lock's owner is certainly gone, so the lock can be broken now. */
function ownerIsDead(owner: LockOwner | null, mtimeMs: number): boolean {
  if (!owner || owner.host !== os.hostname()) return Date.now() - mtimeMs > LOCK_STALE_MS;
  if (owner.pid === process.pid) return owner.started !== null && owner.started !== me().started;
  if (!isAlive(owner.pid)) return true;
  // The pid is taken, but by a process started after the owner died: pids are reused.
  const started = owner.started === null ? null : processStarted(owner.pid);
  return started !== null && started !== owner.started;
}

async function readLock(lockPath: string): Promise<{ text: string; mtimeMs: number } | null> {
  try {
    const [text, stat] = await Promise.all([fs.readFile(lockPath, 'utf8'), fs.stat(lockPath)]);
    return { text, mtimeMs: stat.mtimeMs };
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Creates the lock with its owner inside, or returns false when it exists. */
async function tryCreate(lockPath: string, owner: LockOwner): Promise<boolean> {
  const temp = `${lockPath}.${owner.token}`;
  await fs.writeFile(temp, JSON.stringify(owner));
  try {
    await fs.link(temp, lockPath);
    return true;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw error;
  } finally {
    await fs.rm(temp, { force: true });
  }
}

/**
 * Removes a dead owner's lock. It is renamed aside first and checked to be the lock that was judged, so two
 * waiters breaking the same dead lock cannot remove a live lock that one of them has taken in between.
 */
async function breakLock(lockPath: string, judged: string): Promise<void> {
  const aside = `${lockPath}.broken-${randomUUID().slice(0, 8)}`;
  try {
    await fs.rename(lockPath, aside);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return;
    throw error;
  }
  const moved = await fs.readFile(aside, 'utf8').catch(() => '');
  // Not the dead lock: put the live one back, unless yet another process already holds a new one.
  if (moved !== judged) await fs.link(aside, lockPath).catch(() => {});
  await fs.rm(aside, { force: true });
}

export interface FileLockOptions {
  /** Give up after this long (a live owner holding on); default 20 s. */
  timeoutMs?: number;
  /** Do not wait: when a live owner holds the lock, resolve `null` without running `fn`. */
  tryOnly?: boolean;
}

async function acquire(target: string, { timeoutMs = DEFAULT_LOCK_TIMEOUT_MS, tryOnly = false }: FileLockOptions): Promise<LockOwner | null> {
  const lockPath = `${target}.lock`;
  await fs.mkdir(path.dirname(target), { recursive: true });
  const owner: LockOwner = { ...me(), token: randomUUID() };
  const started = Date.now();
  let delay = RETRY_MIN_MS;
  for (;;) {
    if (await tryCreate(lockPath, owner)) return owner;
    const held = await readLock(lockPath);
    if (!held) continue;
    if (ownerIsDead(parseOwner(held.text), held.mtimeMs)) {
      await breakLock(lockPath, held.text);
      continue;
    }
    if (tryOnly) return null;
    if (Date.now() - started > timeoutMs) {
      throw new AppError('STORE_ERROR', `Timed out after ${timeoutMs} ms waiting for the lock ${lockPath}, held by ${held.text.trim()}`, {
        safeMessage: 'The data files are busy. Try again.',
      });
    }
    await new Promise((resolve) => setTimeout(resolve, delay + Math.random() * delay));
    delay = Math.min(RETRY_MAX_MS, delay * 2);
  }
}

async function release(target: string, owner: LockOwner): Promise<void> {
  const lockPath = `${target}.lock`;
  const held = await readLock(lockPath);
  if (held && parseOwner(held.text)?.token === owner.token) await fs.rm(lockPath, { force: true });
}

/** Runs `fn` while holding `<target>.lock`. */
export async function withFileLock<T>(target: string, fn: () => Promise<T>, options?: Omit<FileLockOptions, 'tryOnly'>): Promise<T>;
/** With `tryOnly`: runs `fn` if the lock is free (or its owner dead), else resolves null at once. */
export async function withFileLock<T>(target: string, fn: () => Promise<T>, options: FileLockOptions & { tryOnly: true }): Promise<T | null>;
export async function withFileLock<T>(target: string, fn: () => Promise<T>, options: FileLockOptions = {}): Promise<T | null> {
  const owner = await acquire(target, options);
  if (!owner) return null;
  // Only an owner on another host is judged by age; refreshing the mtime keeps a long hold from looking dead.
  const lockPath = `${target}.lock`;
  const heartbeat = setInterval(() => {
    const now = new Date();
    fs.utimes(lockPath, now, now).catch(() => {});
  }, HEARTBEAT_MS);
  heartbeat.unref();
  try {
    return await fn();
  } finally {
    clearInterval(heartbeat);
    await release(target, owner);
  }
}
