import { z } from 'zod';
import { withFileLock } from '../file-lock';
import { ruleSetSchema, type RuleSet } from '../rules';
import { fileStamp } from './file-enrichments';
import { appendLinesLocked, parseJournalLines, readBytesFrom } from './journal-lines';
import { scoreForStore, type StoredScore } from './scored-lead';
import { compareHistory, historyEntry, scoreHistoryEntrySchema } from './score-history';
import type { ScoreHistoryEntry } from './types';

/**
 * The file store's score history: a journal beside the leads file, `<leads>.score-history.jsonl`, one line
 * per rules change. A line says "from `at` on, these leads are scored under rules `rules_version`" and holds
 * that rule set and the history entries of the change: the previous score, tier, rules version and
 * breakdown of every lead whose score or tier it changed, until `at`. The first line, written at the first
 * load, has no entries: it records the rules the scores were first shown under.
 *
 * The file store scores at load; when the configured rules differ from the last line's, the load scores
 * every lead under that line's rules too (same record, same reference time) to know what changed, and
 * appends the new line. Under the journal's lock, after reading it again: so two processes loading at once
 * append one line, never two, and a restart under the same rules appends nothing. A line is one write,
 * flushed before the load goes on; one cut short by a kill is skipped when read, and the next load appends
 * it again (see ./journal-lines.ts): an entry is never written twice nor lost.
 */

const JOURNAL_LABEL = 'Score history journal';

const lineSchema = z.object({
  rules_version: z.string().min(1),
  rules: ruleSetSchema,
  at: z.iso.datetime(),
  entries: z.array(scoreHistoryEntrySchema),
});
type JournalLine = z.infer<typeof lineSchema>;

export function scoreHistoryPath(leadsPath: string): string {
  return `${leadsPath}.score-history.jsonl`;
}

export interface FileScoreHistory {
  readonly journalPath: string;
  /**
   * Called with each load's scores: appends the rules change's line when the configured rules are not the
   * last recorded ones. `at`: when the new rules take effect (the load's time).
   */
  record(scored: readonly StoredScore[], options: { rules: RuleSet; rulesVersion: string; now: Date; at: Date }): Promise<void>;
  /** A lead's entries, newest first. */
  entriesOf(leadId: string): Promise<ScoreHistoryEntry[]>;
}

export function createFileScoreHistory(leadsPath: string, { warn = (m: string) => console.warn(m) } = {}): FileScoreHistory {
  const journalPath = scoreHistoryPath(leadsPath);
  const warned = new Set<string>();
  const report = (message: string) => {
    if (warned.has(message)) return;
    warned.add(message);
    warn(`[leadsignal] ${message}`);
  };

  async function readLines({ live }: { live: boolean }): Promise<JournalLine[]> {
    let text: Buffer;
    try {
      text = await readBytesFrom(journalPath, 0);
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
      throw error;
    }
    return parseJournalLines(text, journalPath, 0, {
      schema: lineSchema,
      label: JOURNAL_LABEL,
      recordOf: (raw, lineNo) => `line ${lineNo}${typeof (raw as { rules_version?: unknown } | null)?.rules_version === 'string' ? ` (rules ${(raw as { rules_version: string }).rules_version})` : ''}`,
      live,
      report,
    }).entries;
  }

  let cache: { stamp: string | null; byLead: Map<string, ScoreHistoryEntry[]> } | undefined;

  async function record(scored: readonly StoredScore[], { rules, rulesVersion, now, at }: { rules: RuleSet; rulesVersion: string; now: Date; at: Date }): Promise<void> {
    // Every load under unchanged rules ends here, without the lock: only the last line's version matters.
    const last = (await readLines({ live: true })).at(-1);
    if (last?.rules_version === rulesVersion) return;
    await withFileLock(journalPath, async () => {
      // Read again under the lock: another process may have recorded this change meanwhile. No append is
      // in flight now, so text after the last newline was cut short by a kill.
      const previous = (await readLines({ live: false })).at(-1);
      if (previous?.rules_version === rulesVersion) return;
      const until = at.toISOString();
      const entries: ScoreHistoryEntry[] = [];
      if (previous) {
        for (const s of scored) {
          const before = scoreForStore(s.lead, { rules: previous.rules, now });
          const entry = historyEntry({ ...before, rulesVersion: previous.rules_version }, s, until);
          if (entry) entries.push(entry);
        }
      }
      const line: JournalLine = { rules_version: rulesVersion, rules, at: until, entries };
      await appendLinesLocked(journalPath, Buffer.from(`${JSON.stringify(line)}\n`));
    });
  }

  async function entriesOf(leadId: string): Promise<ScoreHistoryEntry[]> {
    const stamp = await fileStamp(journalPath);
    if (cache?.stamp !== stamp) {
      const byLead = new Map<string, ScoreHistoryEntry[]>();
      for (const line of await readLines({ live: true })) {
        for (const entry of line.entries) {
          const list = byLead.get(entry.leadId);
          if (list) list.push(entry);
          else byLead.set(entry.leadId, [entry]);
        }
      }
      for (const list of byLead.values()) list.sort(compareHistory);
      cache = { stamp, byLead };
    }
    return (cache.byLead.get(leadId) ?? []).slice();
  }

  return { journalPath, record, entriesOf };
}
