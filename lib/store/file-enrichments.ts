import { randomUUID } from 'node:crypto';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { enrichmentSchema, type Enrichment } from '../enrichment/schema';
import { AppError, formatIssues, type FieldIssue } from '../errors';
import { withFileLock } from '../file-lock';
import { writeFileAtomic } from '../fs-atomic';
import { readOptionalJsonFile } from '../json-file';
import { appendLines, parseJournalLines, readBytesFrom, type ParsedLines } from './journal-lines';
import { compareCodePoints } from './order';

/**
 * The file store's enrichments: a folded snapshot, `enrichments.json`, plus a journal beside it,
 * `enrichments.json.journal.jsonl`, to which every saved result is appended as one JSON line and flushed to
 * disk before the save resolves. Now and then (when the journal passes FOLD_AT_BYTES, and when a CLI closes
 * its store) the journal is folded into the snapshot: sealed by renaming it aside
 * (`enrichments.json.journal-<time>-<id>.jsonl`), merged with the snapshot, the snapshot rewritten
 * atomically, the sealed file removed. Readers see the snapshot, the sealed files and the journal together.
 *
 * So a save costs one short append whatever the store's size, and no writer waits for a whole-file rewrite:
 * appends take only the journal's own lock, which a fold holds just for its rename. A SIGKILL at any moment
 * loses nothing saved (a line cut short by the kill is a call still in flight: it is skipped, and the next
 * append starts on a fresh line); a fold killed midway leaves its sealed file, which the next fold merges
 * again (merging is idempotent: per lead the latest `enriched_at` wins, the later line on a tie).
 */

const LABEL = 'Enrichments file';
const JOURNAL_LABEL = 'Enrichments journal';
const VERSION = 1;
/** About 3,000 results: folding then rewrites the snapshot about once per 3,000 saves. */
export const FOLD_AT_BYTES = 2 << 20;
/** Reads retried while folds keep changing the files under them; each fold takes the snapshot's lock. */
const READ_ATTEMPTS = 50;

const snapshotFileSchema = z
  .object({
    version: z.literal(VERSION),
    // Not z.record: that copies entries into a plain object, where a lead id "__proto__" would vanish.
    enrichments: z.custom<Record<string, unknown>>((v) => typeof v === 'object' && v !== null && !Array.isArray(v), 'must be an object keyed by lead id'),
  })
  .strict();

/** Validates a snapshot file; every bad entry is reported by lead id and field, none is dropped. */
export function parseEnrichmentsFile(raw: unknown, file: string): Map<string, Enrichment> {
  const byLead = new Map<string, Enrichment>();
  if (raw === undefined) return byLead;
  const parsed = snapshotFileSchema.safeParse(raw);
  if (!parsed.success) {
    const issues = parsed.error.issues.map((i) => ({ record: 'enrichments file', field: i.path.join('.') || '(root)', message: i.message }));
    throw new AppError(
      'INVALID_INPUT',
      `${LABEL} ${file} must look like {"version": 1, "enrichments": {"<lead id>": {…}}}:\n${formatIssues(issues, issues.length)}`,
      { safeMessage: `${LABEL} is invalid.`, issues },
    );
  }
  const issues: FieldIssue[] = [];
  for (const [leadId, value] of Object.entries(parsed.data.enrichments)) {
    const record = `lead "${leadId}"`;
    const result = enrichmentSchema.safeParse(value);
    if (!result.success) {
      for (const issue of result.error.issues) issues.push({ record, field: issue.path.join('.') || '(record)', message: issue.message });
    } else if (result.data.lead_id !== leadId) {
      issues.push({ record, field: 'lead_id', message: `is "${result.data.lead_id}", which does not match its key` });
    } else {
      byLead.set(leadId, result.data);
    }
  }
  if (issues.length > 0) {
    throw new AppError('INVALID_INPUT', `${LABEL} ${file} has invalid entries:\n${formatIssues(issues, issues.length)}`, {
      safeMessage: `${LABEL} has invalid entries.`,
      issues,
    });
  }
  return byLead;
}

/** Keys sorted and 2-space indented, so the file diffs cleanly when it is committed or reviewed. */
export function serializeEnrichments(byLead: ReadonlyMap<string, Enrichment>): string {
  // No prototype, so every lead id, "__proto__" included, is an ordinary key.
  const enrichments: Record<string, Enrichment> = Object.create(null) as Record<string, Enrichment>;
  for (const id of [...byLead.keys()].sort(compareCodePoints)) enrichments[id] = byLead.get(id)!;
  return `${JSON.stringify({ version: VERSION, enrichments }, null, 2)}\n`;
}

/** Whether `next` replaces `current` for its lead: the later `enriched_at`, or the later write on a tie. */
function supersedes(next: Enrichment, current: Enrichment | undefined): boolean {
  return !current || Date.parse(next.enriched_at) >= Date.parse(current.enriched_at);
}

/** Identifies one version of a file; atomic writes rename a new inode into place, so any write changes it. */
export async function fileStamp(file: string): Promise<string | null> {
  try {
    const s = await fs.stat(file, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** Every enrichment the files hold, as one read saw them. */
export interface EnrichmentsView {
  get(leadId: string): Enrichment | undefined;
  /** Built on first use (a copy of the whole map costs a few ms at 60,000 leads). */
  all(): ReadonlyMap<string, Enrichment>;
}

export interface FileEnrichments {
  readonly journalPath: string;
  read(): Promise<EnrichmentsView>;
  /** Appends the results to the journal and flushes it to disk; validated by the caller. */
  append(list: readonly Enrichment[]): Promise<void>;
  /** Folds the journal into the snapshot now, unless another process is folding; resolves whether it did. */
  fold(): Promise<boolean>;
  /** Waits for a fold this instance started in the background. */
  idle(): Promise<void>;
}

export interface FileEnrichmentsOptions {
  foldAtBytes?: number;
  /** Where lines cut short by a crash are reported (default console.warn). */
  warn?: (message: string) => void;
}

interface Listing {
  snapshot: string | null;
  /** Sealed journals, oldest first. */
  sealed: string[];
  journal: { ino: bigint; size: number } | null;
}

export function createFileEnrichments(snapshotPath: string, { foldAtBytes = FOLD_AT_BYTES, warn = (m) => console.warn(m) }: FileEnrichmentsOptions = {}): FileEnrichments {
  const dir = path.dirname(snapshotPath);
  const base = path.basename(snapshotPath);
  const journalPath = `${snapshotPath}.journal.jsonl`;
  const sealedPrefix = `${base}.journal-`;
  const warned = new Set<string>();

  async function listing(): Promise<Listing> {
    const [snapshot, names, journal] = await Promise.all([
      fileStamp(snapshotPath),
      fs.readdir(dir).catch((error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? [] : Promise.reject(error))),
      fs.stat(journalPath, { bigint: true }).then(
        (s) => ({ ino: s.ino, size: Number(s.size) }),
        (error: NodeJS.ErrnoException) => (error.code === 'ENOENT' ? null : Promise.reject(error)),
      ),
    ]);
    const sealed = names.filter((n) => n.startsWith(sealedPrefix) && n.endsWith('.jsonl')).sort();
    return { snapshot, sealed, journal };
  }

  function parseLines(text: Buffer, file: string, firstLine: number, { live }: { live: boolean }): ParsedLines<Enrichment> {
    return parseJournalLines(text, file, firstLine, {
      schema: enrichmentSchema,
      label: JOURNAL_LABEL,
      recordOf: (raw, lineNo) => {
        const id = (raw as { lead_id?: unknown } | null)?.lead_id;
        return `line ${lineNo}${typeof id === 'string' ? ` (lead "${id}")` : ''}`;
      },
      live,
      report,
    });
  }

  function report(message: string): void {
    if (warned.has(message)) return;
    warned.add(message);
    warn(`[leadsignal] ${message}`);
  }

  // --- caches: each keyed by what it was read from, so a reader re-reads only what changed -------------

  let snapshotCache: { stamp: string | null; byLead: Map<string, Enrichment> } | undefined;
  async function readSnapshot(stamp: string | null): Promise<Map<string, Enrichment>> {
    if (snapshotCache?.stamp === stamp) return snapshotCache.byLead;
    const byLead = parseEnrichmentsFile(await readOptionalJsonFile(snapshotPath, { label: LABEL }), snapshotPath);
    snapshotCache = { stamp, byLead };
    return byLead;
  }

  /** Sealed files never change once renamed into place, so each is parsed once. */
  const sealedCache = new Map<string, Enrichment[]>();
  async function readSealed(name: string): Promise<Enrichment[]> {
    let entries = sealedCache.get(name);
    if (!entries) {
      const file = path.join(dir, name);
      entries = parseLines(await readBytesFrom(file, 0), file, 0, { live: false }).entries;
      sealedCache.set(name, entries);
    }
    return entries;
  }

  /** Snapshot merged with the sealed files: one per (snapshot, sealed files) generation. */
  let baseCache: { key: string; byLead: Map<string, Enrichment> } | undefined;
  /** The live journal read so far within the current generation: where to go on, and what it changed. */
  let journalCache: { key: string; ino: bigint; offset: number; lines: number; overlay: Map<string, Enrichment> } | undefined;
  let viewCache: { key: string; view: EnrichmentsView } | undefined;

  async function readOnce(before: Listing): Promise<EnrichmentsView> {
    const generation = `${before.snapshot}|${before.sealed.join(',')}`;
    if (baseCache?.key !== generation) {
      const snapshot = await readSnapshot(before.snapshot);
      let byLead = snapshot;
      if (before.sealed.length > 0) {
        byLead = new Map(snapshot);
        for (const name of before.sealed) for (const e of await readSealed(name)) if (supersedes(e, byLead.get(e.lead_id))) byLead.set(e.lead_id, e);
      }
      baseCache = { key: generation, byLead };
      for (const name of sealedCache.keys()) if (!before.sealed.includes(name)) sealedCache.delete(name);
    }
    const merged = baseCache.byLead;

    const journal = before.journal;
    if (!journal) {
      journalCache = undefined;
    } else if (!journalCache || journalCache.key !== generation || journalCache.ino !== journal.ino || journal.size < journalCache.offset) {
      journalCache = { key: generation, ino: journal.ino, offset: 0, lines: 0, overlay: new Map() };
    }
    if (journalCache && journal && journal.size > journalCache.offset) {
      const parsed = parseLines(await readBytesFrom(journalPath, journalCache.offset), journalPath, journalCache.lines, { live: true });
      for (const e of parsed.entries) {
        if (supersedes(e, journalCache.overlay.get(e.lead_id) ?? merged.get(e.lead_id))) journalCache.overlay.set(e.lead_id, e);
      }
      journalCache.offset += parsed.consumed;
      journalCache.lines += parsed.lines;
    }

    const overlay = journalCache?.overlay ?? new Map<string, Enrichment>();
    const key = `${generation}|${journalCache?.ino ?? ''}:${journalCache?.offset ?? 0}`;
    if (viewCache?.key === key) return viewCache.view;
    // The overlay grows in place; a view keeps the entries it was made with.
    const frozen = new Map(overlay);
    let all: Map<string, Enrichment> | undefined;
    const view: EnrichmentsView = {
      get: (id) => frozen.get(id) ?? merged.get(id),
      all() {
        if (!all) {
          all = new Map(merged);
          for (const [id, e] of frozen) all.set(id, e);
        }
        return all;
      },
    };
    viewCache = { key, view };
    return view;
  }

  const sameListing = (a: Listing, b: Listing) => a.snapshot === b.snapshot && a.sealed.join('/') === b.sealed.join('/');

  async function read(): Promise<EnrichmentsView> {
    for (let attempt = 0; attempt < READ_ATTEMPTS; attempt++) {
      const before = await listing();
      let view: EnrichmentsView;
      try {
        view = await readOnce(before);
      } catch (error) {
        // A sealed file folded away, or the journal sealed, while this read was on its way: read again.
        if ((error as NodeJS.ErrnoException).code === 'ENOENT') continue;
        throw error;
      }
      // A fold that overlapped this read changed the sealed files (it seals and removes them) or the
      // snapshot (it rewrites it between those steps): then what was read may straddle it, so read again.
      if (sameListing(before, await listing())) return view;
    }
    throw new AppError('STORE_ERROR', `${LABEL} ${snapshotPath}: the files kept changing during ${READ_ATTEMPTS} reads`, {
      safeMessage: 'The enrichments could not be read. Try again.',
    });
  }

  let journalBytes = 0;
  let folding: Promise<void> | null = null;

  async function append(list: readonly Enrichment[]): Promise<void> {
    if (list.length === 0) return;
    const bytes = Buffer.from(list.map((e) => `${JSON.stringify(e)}\n`).join(''));
    journalBytes = await appendLines(journalPath, bytes);
    if (journalBytes >= foldAtBytes && !folding) {
      folding = fold()
        .then(() => undefined)
        .catch((error: unknown) => warn(`[leadsignal] Folding ${journalPath} into ${snapshotPath} failed (nothing is lost; the next fold retries): ${error instanceof Error ? error.message : String(error)}`))
        .finally(() => {
          folding = null;
        });
    }
  }

  async function fold(): Promise<boolean> {
    const folded = await withFileLock(
      snapshotPath,
      async () => {
        await withFileLock(journalPath, async () => {
          const stat = await fs.stat(journalPath).catch(() => null);
          if (stat && stat.size > 0) {
            const stamp = String(Date.now()).padStart(15, '0');
            await fs.rename(journalPath, path.join(dir, `${sealedPrefix}${stamp}-${randomUUID().slice(0, 8)}.jsonl`));
          }
          journalBytes = 0;
        });
        const { snapshot, sealed } = await listing();
        if (sealed.length === 0) return false;
        const byLead = new Map(await readSnapshot(snapshot));
        for (const name of sealed) for (const e of await readSealed(name)) if (supersedes(e, byLead.get(e.lead_id))) byLead.set(e.lead_id, e);
        await writeFileAtomic(snapshotPath, serializeEnrichments(byLead));
        await Promise.all(sealed.map((name) => fs.rm(path.join(dir, name), { force: true })));
        return true;
      },
      { tryOnly: true },
    );
    return folded === true;
  }

  return {
    journalPath,
    read,
    append,
    fold,
    idle: async () => {
      await folding;
    },
  };
}
