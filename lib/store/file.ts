import 'server-only';
import path from 'node:path';
import { z } from 'zod';
import { resolveAsOf } from '../as-of';
import { feedbackKey, narrativeFeedbackSchema, type NarrativeFeedback } from '../enrichment/feedback';
import type { Confidence, EnrichmentStatus, GroundingStatus } from '../enrichment/schema';
import { AppError, formatIssues, isAppError, type FieldIssue } from '../errors';
import { withFileLock } from '../file-lock';
import { writeFileAtomic } from '../fs-atomic';
import { readOptionalJsonFile } from '../json-file';
import { safeParseLead, toScorable, type Lead } from '../lead';
import { fieldCoverage, type FieldCoverage } from '../rule-coverage';
import { loadLeadsFile } from '../leads-file';
import type { RuleSet } from '../rules';
import { rulesVersion, TIERS, type Tier } from '../scoring';
import { createFileEnrichments, fileStamp, type EnrichmentsView } from './file-enrichments';
import { createFileScoreHistory } from './file-score-history';
import { validateEnrichments, validateFeedback, validateLeadQuery } from './input-checks';
import { compareCodePoints, compareFeedback, compareRows } from './order';
import { outcomeRow, pickAttributes, scoreForStore, searchTextOf, toLeadRow, withEnrichment, type StoredScore } from './scored-lead';
import { type LeadPage, type LeadRow, type LeadStore, type OutcomeRow, type ScoredLead, type ScoredRecord, type SortDirection, type SortKey, type StoreSummary } from './types';

/**
 * The zero-setup store: a leads JSON file (scored on load) plus `data/enrichments.json` and its journal
 * (./file-enrichments.ts: each saved result is appended and flushed at once, and folded into the file now
 * and then), and SDR feedback in `feedback.json` beside it (re-read under a cross-process lock and replaced
 * atomically on each save).
 *
 * Reads are served from memory and reloaded when a file's inode, size or mtime changes, so the batch
 * job's writes and hand-edited files show up without a restart. Listing is a linear filter over a
 * pre-sorted index per sort key, built once per load. Lead upserts re-read the leads file under a
 * cross-process lock and replace it atomically, so concurrent processes never lose each other's writes.
 *
 * A data file that cannot be read (not JSON, bad records) is the server's fault, not the caller's: it
 * surfaces as STORE_ERROR (a 5xx, logged with its cause), naming the file, record and field.
 */

export interface FileStoreOptions {
  leadsPath: string;
  enrichmentsPath: string;
  rules: RuleSet;
  /** The SCORING_AS_OF setting: an ISO date, "now", or unset for "as of the export" (see lib/as-of.ts). */
  asOf?: string;
  /** Serve the valid leads of a file with bad records (warning in the log) instead of failing. */
  skipInvalid?: boolean;
  /** The env var or flag that chose `leadsPath`, named when the file is missing. */
  leadsOrigin?: string;
  /** SDR feedback (FEEDBACK_PATH); default: feedback.json beside the enrichments file. */
  feedbackPath?: string;
  /** Fold the enrichments journal into the file once it is this big (default FOLD_AT_BYTES, 2 MiB). */
  foldAtBytes?: number;
  /**
   * Record rules changes in the score history journal beside the leads file (./file-score-history.ts). The
   * store of the configured rules does (lib/store/index.ts); a command scoring with other rules (`--rules`)
   * must not, or each run would look like a rules change and back. Default false.
   */
  recordScoreHistory?: boolean;
  /** When a load under new rules takes effect: the end of the score history entries it records (tests pass their own). */
  clock?: () => Date;
}

const FEEDBACK_LABEL = 'Feedback file';
const FEEDBACK_VERSION = 1;
const feedbackFileSchema = z.object({ version: z.literal(FEEDBACK_VERSION), feedback: z.array(z.unknown()) }).strict();

/** Where the file store keeps SDR feedback: FEEDBACK_PATH, else feedback.json beside the enrichments file. */
function feedbackPathOf({ enrichmentsPath, feedbackPath }: Pick<FileStoreOptions, 'enrichmentsPath' | 'feedbackPath'>): string {
  return feedbackPath ?? path.join(path.dirname(enrichmentsPath), 'feedback.json');
}

async function readFeedbackFile(file: string): Promise<NarrativeFeedback[]> {
  return parseFeedbackFile(await readOptionalJsonFile(file, { label: FEEDBACK_LABEL }), file);
}

/**
 * What the Narratives section reads from the file store's files for leads a command scored itself
 * (`npm run validate`): their outcome rows joined to the narratives, and the feedback. A store built for
 * this would score every lead again and keep a second copy of each (on 1,000,000 leads about 27 CPU-s
 * and gigabytes of heap).
 */
export async function fileNarratives(
  records: readonly ScoredRecord[],
  options: Pick<FileStoreOptions, 'enrichmentsPath' | 'feedbackPath'> & { rulesVersion: string },
): Promise<{ outcomes: OutcomeRow[]; feedback: NarrativeFeedback[] }> {
  const [enrichments, feedback] = await Promise.all([createFileEnrichments(options.enrichmentsPath).read(), readFeedbackFile(feedbackPathOf(options))]);
  const outcomes = records.filter((r) => r.lead.converted !== undefined).map((r) => outcomeRow(r, enrichments.get(r.lead.id) ?? null, options.rulesVersion));
  return { outcomes, feedback };
}

/** Validates a feedback file; every bad entry is reported by position, lead id and field, none is dropped. */
export function parseFeedbackFile(raw: unknown, file: string): NarrativeFeedback[] {
  if (raw === undefined) return [];
  const parsed = feedbackFileSchema.safeParse(raw);
  if (!parsed.success) {
    throw new AppError('INVALID_INPUT', `${FEEDBACK_LABEL} ${file} must look like {"version": 1, "feedback": [{…}]}: ${parsed.error.issues[0]?.message}`, {
      safeMessage: `${FEEDBACK_LABEL} is invalid.`,
    });
  }
  const issues: FieldIssue[] = [];
  const list: NarrativeFeedback[] = [];
  parsed.data.feedback.forEach((entry, index) => {
    const result = narrativeFeedbackSchema.safeParse(entry);
    if (result.success) {
      list.push(result.data);
      return;
    }
    const id = (entry as { lead_id?: unknown } | null)?.lead_id;
    const record = `#${index}${typeof id === 'string' ? ` (lead "${id}")` : ''}`;
    for (const issue of result.error.issues) issues.push({ record, field: issue.path.join('.') || '(record)', message: issue.message });
  });
  if (issues.length > 0) {
    throw new AppError('INVALID_INPUT', `${FEEDBACK_LABEL} ${file} has invalid entries:\n${formatIssues(issues, issues.length)}`, {
      safeMessage: `${FEEDBACK_LABEL} has invalid entries.`,
      issues,
    });
  }
  return list;
}

/** One load of the leads file. Sort orders here depend only on lead data, so enrichment changes keep them. */
interface LeadsSnapshot {
  scored: StoredScore[];
  positionById: Map<string, number>;
  /** Each lead's table row as if it had no enrichment; views copy only the rows of enriched leads. */
  baseRows: LeadRow[];
  /** Per lead, what search looks in (`searchTextOf`). */
  searchText: string[];
  orders: Map<string, Int32Array>;
  coverage?: FieldCoverage;
  /** `scored` in id order, made on first ask. */
  byId?: readonly ScoredRecord[];
}

/** A fault in the store's own files, reported as the server's (5xx) with the original message and issues. */
function dataFault(error: unknown): never {
  if (isAppError(error) && error.status < 500) {
    throw new AppError('STORE_ERROR', error.message, { safeMessage: error.safeMessage, issues: error.issues, cause: error });
  }
  throw error;
}

/** Leads joined with enrichments: the table rows, plus the orders that depend on enrichment status. */
interface View {
  leads: LeadsSnapshot;
  enrichments: EnrichmentsView;
  rows: LeadRow[];
  orders: Map<string, Int32Array>;
  summary?: StoreSummary;
}

/**
 * One load per file version, shared by concurrent callers. Callers stat the file themselves first, so
 * each sees at least its own completed writes; a failed load is forgotten, so the next call retries.
 */
function loadPerVersion<T>(load: () => Promise<T>) {
  let latest: { stamp: string | null; promise: Promise<T> } | undefined;
  return {
    get(stamp: string | null): Promise<T> {
      if (latest && latest.stamp === stamp) return latest.promise;
      const entry = { stamp, promise: load() };
      latest = entry;
      entry.promise.catch(() => {
        if (latest === entry) latest = undefined;
      });
      return entry.promise;
    },
  };
}

/** An empty list filters nothing, like an absent one. */
function filterSet<T>(values: readonly T[] | undefined): Set<T> | null {
  return values && values.length > 0 ? new Set(values) : null;
}

export function createFileStore(options: FileStoreOptions): LeadStore {
  const { leadsPath, enrichmentsPath, rules, asOf, skipInvalid = false, leadsOrigin, foldAtBytes, recordScoreHistory = false, clock = () => new Date() } = options;
  const feedbackPath = feedbackPathOf(options);
  const version = rulesVersion(rules);
  let view: View | undefined;

  async function readLeads(): Promise<LeadsSnapshot> {
    const { leads, issues, rejected } = await loadLeadsFile(leadsPath, { skipInvalid, origin: leadsOrigin });
    if (rejected > 0) {
      console.warn(`[leadsignal] Skipped ${rejected} invalid record(s) in ${leadsPath}:\n${formatIssues(issues)}`);
    }
    return scoreLeads(leads);
  }

  async function scoreLeads(leads: readonly Lead[]): Promise<LeadsSnapshot> {
    const now = resolveAsOf(leads, asOf);
    const scored = leads.map((lead) => scoreForStore(lead, { rules, now }));
    // The scores are served whatever happens to their history (say, a read-only directory): warned, and
    // recorded by a later load that can write it.
    if (recordScoreHistory) await history.record(scored, { rules, rulesVersion: version, now, at: clock() }).catch((error: unknown) => {
      console.warn(`[leadsignal] Score history not recorded in ${history.journalPath}: ${error instanceof Error ? error.message : String(error)}`);
    });
    const searchText = leads.map(searchTextOf);
    const positionById = new Map(leads.map((lead, i) => [lead.id, i]));
    const baseRows = scored.map((s) => toLeadRow(withEnrichment(s, null)));
    return { scored, positionById, baseRows, searchText, orders: new Map() };
  }

  const files = createFileEnrichments(enrichmentsPath, { foldAtBytes });
  const history = createFileScoreHistory(leadsPath);
  const leadsVersions = loadPerVersion(() => readLeads().catch(dataFault));
  const feedbackVersions = loadPerVersion(() => readFeedbackFile(feedbackPath).catch(dataFault));
  const leadsSnapshot = async () => leadsVersions.get(await fileStamp(leadsPath));
  const enrichmentsSnapshot = () => files.read().catch(dataFault);

  async function currentView(): Promise<View> {
    const [leads, enrichments] = await Promise.all([leadsSnapshot(), enrichmentsSnapshot()]);
    if (view && view.leads === leads && view.enrichments === enrichments) return view;
    const rows = leads.baseRows.slice();
    for (const [id, enrichment] of enrichments.all()) {
      const position = leads.positionById.get(id);
      if (position !== undefined) rows[position] = toLeadRow(withEnrichment(leads.scored[position]!, enrichment));
    }
    view = { leads, enrichments, rows, orders: new Map() };
    return view;
  }

  /** Row positions in the documented order for a key and direction, sorted once and cached with the data it depends on. */
  function orderFor(v: View, key: SortKey, direction: SortDirection): Int32Array {
    const [cache, rows] = key === 'enrichment' ? [v.orders, v.rows] : [v.leads.orders, v.leads.baseRows];
    const cacheKey = `${key}:${direction}`;
    let order = cache.get(cacheKey);
    if (!order) {
      const compare = compareRows(key, direction);
      order = new Int32Array(rows.length);
      for (let i = 0; i < order.length; i++) order[i] = i;
      order.sort((a, b) => compare(rows[a]!, rows[b]!));
      cache.set(cacheKey, order);
    }
    return order;
  }

  function summarize(v: View): StoreSummary {
    const byTier = Object.fromEntries(TIERS.map((t) => [t, 0])) as Record<Tier, number>;
    const byStatus: Record<EnrichmentStatus, number> = { claude: 0, mock: 0, stale: 0, none: 0 };
    const industries = new Set<string>();
    for (const row of v.rows) {
      byTier[row.tier]++;
      byStatus[row.enrichmentStatus]++;
      if (row.industry !== null) industries.add(row.industry);
    }
    return {
      total: v.rows.length,
      byTier,
      enriched: byStatus.claude + byStatus.mock,
      mock: byStatus.mock,
      stale: byStatus.stale,
      rulesVersion: version,
      configuredRulesVersion: version,
      // Scored at load: always under the configured rules.
      outdatedScores: 0,
      industries: [...industries].sort((a, b) => compareCodePoints(a.toLowerCase(), b.toLowerCase()) || compareCodePoints(a, b)),
    };
  }

  return {
    kind: 'file',

    async listLeads(query) {
      validateLeadQuery(query);
      const v = await currentView();
      const order = orderFor(v, query.sort, query.direction);
      const { rows } = v;
      const { searchText } = v.leads;
      const start = (query.page - 1) * query.pageSize;
      const end = start + query.pageSize;
      const tiers = filterSet<Tier>(query.tiers);
      const industries = filterSet<string>(query.industries);
      const statuses = filterSet<EnrichmentStatus>(query.enrichment);
      const confidences = filterSet<Confidence>(query.confidence);
      const grounding = filterSet<GroundingStatus>(query.grounding);
      const search = query.search?.trim().toLowerCase() || null;
      const page: LeadRow[] = [];
      // Attribute values are only read for the rows of the page.
      const wanted = query.attributes ?? [];
      const shown = (i: number): LeadRow => (wanted.length ? { ...rows[i]!, attributes: pickAttributes(v.leads.scored[i]!.lead.attributes, wanted) } : rows[i]!);

      if (!tiers && !industries && !statuses && !confidences && !grounding && !search) {
        for (let k = start; k < Math.min(end, order.length); k++) page.push(shown(order[k]!));
        return { rows: page, total: rows.length, page: query.page, pageSize: query.pageSize } satisfies LeadPage;
      }
      let total = 0;
      for (let k = 0; k < order.length; k++) {
        const i = order[k]!;
        const row = rows[i]!;
        if (tiers && !tiers.has(row.tier)) continue;
        if (statuses && !statuses.has(row.enrichmentStatus)) continue;
        if (industries && (row.industry === null || !industries.has(row.industry))) continue;
        if (confidences && (row.confidence === null || !confidences.has(row.confidence))) continue;
        if (grounding && (row.grounding === null || !grounding.has(row.grounding))) continue;
        if (search && !searchText[i]!.includes(search)) continue;
        if (total >= start && total < end) page.push(shown(i));
        total++;
      }
      return { rows: page, total, page: query.page, pageSize: query.pageSize };
    },

    // Without building the table view: a lead page or a live call under a running batch job would otherwise
    // rebuild every row after each saved result.
    async getLead(id) {
      const [leads, enrichments] = await Promise.all([leadsSnapshot(), enrichmentsSnapshot()]);
      const position = leads.positionById.get(id);
      if (position === undefined) return null;
      return withEnrichment(leads.scored[position]!, enrichments.get(id) ?? null) satisfies ScoredLead;
    },

    async summary() {
      const v = await currentView();
      v.summary ??= summarize(v);
      return v.summary;
    },

    async outcomes() {
      const [leads, enrichments] = await Promise.all([leadsSnapshot(), enrichmentsSnapshot()]);
      return leads.scored.filter((s) => s.lead.converted !== undefined).map((s) => outcomeRow(s, enrichments.get(s.lead.id) ?? null, s.rulesVersion));
    },

    async leadsWithOutcome() {
      const { scored } = await leadsSnapshot();
      return scored.map((s) => s.lead).filter((lead) => lead.converted !== undefined).sort((a, b) => compareCodePoints(a.id, b.id));
    },

    async scoredRecords() {
      const snapshot = await leadsSnapshot();
      snapshot.byId ??= [...snapshot.scored].sort((a, b) => compareCodePoints(a.lead.id, b.lead.id));
      return snapshot.byId;
    },

    async fieldCoverage() {
      const snapshot = await leadsSnapshot();
      snapshot.coverage ??= fieldCoverage(snapshot.scored.map((s) => toScorable(s.lead)));
      return snapshot.coverage;
    },

    async enrichments() {
      return new Map((await enrichmentsSnapshot()).all());
    },

    async upsertLeads(items) {
      if (items.length === 0) return;
      const issues: FieldIssue[] = [];
      const incoming = new Map<string, Lead>();
      items.forEach((item, index) => {
        const result = safeParseLead(item.lead, index);
        if (!result.ok) issues.push(...result.issues);
        else if (incoming.has(result.lead.id)) issues.push({ record: `"${result.lead.id}" (#${index})`, field: 'id', message: 'appears twice in one upsert' });
        else incoming.set(result.lead.id, result.lead);
      });
      if (issues.length > 0) {
        throw new AppError('INVALID_INPUT', `Cannot upsert leads:\n${formatIssues(issues, issues.length)}`, { issues });
      }
      await withFileLock(leadsPath, async () => {
        // Records already in the file are kept byte-for-byte as they were (even ones a lenient load skipped).
        const raw = (await readOptionalJsonFile(leadsPath, { label: 'Leads file', origin: leadsOrigin })) ?? [];
        if (!Array.isArray(raw)) throw new AppError('INVALID_INPUT', `Leads file ${leadsPath} must hold a JSON array of lead records`);
        const records: unknown[] = raw;
        const positions = new Map<string, number>();
        records.forEach((record, i) => {
          const id = (record as { id?: unknown } | null)?.id;
          if (typeof id === 'string' || typeof id === 'number') positions.set(String(id).trim(), i);
        });
        for (const [id, lead] of incoming) {
          const at = positions.get(id);
          if (at === undefined) records.push(lead);
          else records[at] = lead;
        }
        await writeFileAtomic(leadsPath, `${JSON.stringify(records, null, 2)}\n`);
      });
    },

    async saveEnrichments(list) {
      if (list.length === 0) return;
      const valid = validateEnrichments(list);
      const { positionById } = await leadsSnapshot();
      const unknown = [...new Set(valid.map((e) => e.lead_id).filter((id) => !positionById.has(id)))];
      if (unknown.length > 0) {
        throw new AppError('NOT_FOUND', `Cannot save enrichments for unknown lead(s): ${unknown.map((id) => `"${id}"`).join(', ')}`);
      }
      await files.append(valid);
    },

    // A CLI's last word: fold what it journaled, so enrichments.json alone holds every result again.
    async close() {
      await files.idle();
      await files.fold().catch(dataFault);
    },

    async saveFeedback(item) {
      const feedback = validateFeedback(item);
      const { positionById } = await leadsSnapshot();
      if (!positionById.has(feedback.lead_id)) throw new AppError('NOT_FOUND', `Cannot save feedback for unknown lead "${feedback.lead_id}"`);
      await withFileLock(feedbackPath, async () => {
        // Re-read under the lock: another process may have saved feedback since this one last loaded the file.
        const byKey = new Map((await readFeedbackFile(feedbackPath).catch(dataFault)).map((f) => [feedbackKey(f), f]));
        byKey.set(feedbackKey(feedback), feedback);
        const list = [...byKey.values()].sort(compareFeedback);
        await writeFileAtomic(feedbackPath, `${JSON.stringify({ version: FEEDBACK_VERSION, feedback: list }, null, 2)}\n`);
      });
    },

    async feedback(leadId) {
      const list = await feedbackVersions.get(await fileStamp(feedbackPath));
      return leadId === undefined ? list.slice() : list.filter((f) => f.lead_id === leadId);
    },

    async scoreHistory(leadId) {
      // Loaded first, so a rules change this load records is in the history read.
      await leadsSnapshot();
      return history.entriesOf(leadId).catch(dataFault);
    },
  };
}
