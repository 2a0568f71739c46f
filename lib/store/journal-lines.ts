import { promises as fs } from 'node:fs';
import type { z } from 'zod';
import { AppError, formatIssues, type FieldIssue } from '../errors';
import { withFileLock } from '../file-lock';
import { writeAll } from '../fs-atomic';

/**
 * The file store's append-only JSON-lines journals (enrichments, score history): one JSON value per line,
 * appended under the journal's cross-process lock and flushed to disk before the append resolves. Only
 * lines ending in a newline count: the text after the last newline is a write in progress or, after a
 * crash, one cut short; the next append starts on a fresh line, so that text stays on its own line.
 */

const NEWLINE = 0x0a;

/** Journal lines parsed from a byte range; `consumed` ends after the last line that is settled. */
export interface ParsedLines<T> {
  entries: T[];
  consumed: number;
  lines: number;
}

export interface ParseLinesOptions<T> {
  schema: z.ZodType<T>;
  /** Names the journal in errors ("Enrichments journal"). */
  label: string;
  /** Names an entry by its line for errors: `line 3 (lead "x")`. */
  recordOf: (raw: unknown, lineNo: number) => string;
  /** A live journal may be mid-append: its last complete line, if not JSON, is left to be read again. */
  live: boolean;
  /** Where lines cut short by a crash are reported. */
  report: (message: string) => void;
}

/**
 * Parses journal lines. A complete line that is not JSON was cut short by a crash (the next append started a
 * new line after it): reported and skipped, unless it is the last complete line of a live journal, which is
 * left to be read again. Entries that do not fit the schema are an INVALID_INPUT naming the line and field.
 */
export function parseJournalLines<T>(text: Buffer, file: string, firstLine: number, { schema, label, recordOf, live, report }: ParseLinesOptions<T>): ParsedLines<T> {
  const entries: T[] = [];
  const issues: FieldIssue[] = [];
  let consumed = 0;
  let lines = 0;
  for (let start = 0; ; ) {
    const end = text.indexOf(NEWLINE, start);
    if (end === -1) {
      if (!live && start < text.length) report(`${file}: the last line (${firstLine + lines + 1}) was cut short by a crash (a call in flight); skipped`);
      break;
    }
    const lineNo = firstLine + lines + 1;
    const line = text.subarray(start, end).toString('utf8');
    let raw: unknown;
    let json = true;
    try {
      raw = line.trim() === '' ? undefined : JSON.parse(line);
    } catch {
      json = false;
    }
    if (!json) {
      if (live && text.indexOf(NEWLINE, end + 1) === -1) break;
      report(`${file}: line ${lineNo} is not JSON (cut short by a crash); skipped`);
    } else if (raw !== undefined) {
      const result = schema.safeParse(raw);
      if (result.success) entries.push(result.data);
      else for (const issue of result.error.issues) issues.push({ record: recordOf(raw, lineNo), field: issue.path.join('.') || '(record)', message: issue.message });
    }
    lines++;
    start = end + 1;
    consumed = start;
  }
  if (issues.length > 0) {
    throw new AppError('INVALID_INPUT', `${label} ${file} has invalid entries:\n${formatIssues(issues, issues.length)}`, {
      safeMessage: `${label} has invalid entries.`,
      issues,
    });
  }
  return { entries, consumed, lines };
}

/** The bytes of a file from `from` to its end as it is when opened. */
export async function readBytesFrom(file: string, from: number): Promise<Buffer> {
  const handle = await fs.open(file, 'r');
  try {
    const { size } = await handle.stat();
    const buffer = Buffer.alloc(Math.max(0, size - from));
    let read = 0;
    while (read < buffer.length) {
      const { bytesRead } = await handle.read(buffer, read, buffer.length - read, from + read);
      if (bytesRead === 0) break;
      read += bytesRead;
    }
    return buffer.subarray(0, read);
  } finally {
    await handle.close();
  }
}

/**
 * Appends `bytes` (whole lines) to a journal and flushes it to disk, starting on a fresh line when a crash
 * cut the last one short. The caller holds the journal's lock (`withJournalLock`); resolves the new size.
 */
export async function appendLinesLocked(journalPath: string, bytes: Uint8Array): Promise<number> {
  const handle = await fs.open(journalPath, 'a+');
  try {
    const { size } = await handle.stat();
    let written = 0;
    if (size > 0) {
      const last = Buffer.alloc(1);
      await handle.read(last, 0, 1, size - 1);
      if (last[0] !== NEWLINE) {
        writeAll(handle.fd, Buffer.from('\n'));
        written++;
      }
    }
    writeAll(handle.fd, bytes);
    await handle.datasync();
    return size + written + bytes.length;
  } finally {
    await handle.close();
  }
}

/** `appendLinesLocked` under the journal's own lock. */
export function appendLines(journalPath: string, bytes: Uint8Array): Promise<number> {
  return withFileLock(journalPath, () => appendLinesLocked(journalPath, bytes));
}
