import 'server-only';
import { promises as fs } from 'node:fs';
import path from 'node:path';
import { z } from 'zod';
import { resolveAsOf } from '../as-of';
import { feedbackKey, narrativeFeedbackSchema, type NarrativeFeedback } from '../enrichment/feedback';
import { enrichmentSchema, type Confidence, type Enrichment, type EnrichmentStatus, type GroundingStatus } from '../enrichment/schema';
import { AppError, formatIssues, type FieldIssue } from '../errors';
import { withFileLock, writeFileAtomic } from '../fs-atomic';
import { readOptionalJsonFile } from '../json-file';
import { fullName, safeParseLead, toScorable, type Lead } from '../lead';
import { fieldCoverage, type FieldCoverage } from '../rule-coverage';
import { loadLeadsFile } from '../leads-file';
import type { RuleSet } from '../rules';
import { rulesVersion, TIERS, type Tier } from '../scoring';
import { compareCodePoints, compareFeedback, compareRows, scoreForStore, toLeadRow, validateEnrichments, validateFeedback, validateLeadQuery, withEnrichment, type StoredScore } from './rows';
import { type LeadPage, type LeadRow, type LeadStore, type OutcomeRow, type ScoredLead, type SortDirection, type SortKey, type StoreSummary } from './types';

/**
 * The zero-setup store: a leads JSON file (scored on load) plus `data/enrichments.json`.
 *
 * Reads are served from memory and reloaded when a file's inode, size or mtime changes, so the batch
 * job's writes and hand-edited files show up without a restart. Listing is a linear filter over a
 * pre-sorted index per sort key, built once per load. Writes re-read the file under a cross-process
 * lock and replace it atomically, so the batch job and the web server never lose each other's writes.
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
}

const ENRICHMENTS_LABEL = 'Enrichments file';
const ENRICHMENTS_VERSION = 1;

const enrichmentsFileSchema = z
  .object({ version: z.literal(ENRICHMENTS_VERSION), enrichments: z.record(z.string(), z.unknown()) })
  .strict();

/** Validates an enrichments file; every bad entry is reported by lead id and field, none is dropped. */
export function parseEnrichmentsFile(raw: unknown, path: string): Map<string, Enrichment> {
  const byLead = new Map<string, Enrichment>();
  if (raw === undefined) return byLead;
  const file = enrichmentsFileSchema.safeParse(raw);
  if (!file.success) {
    const issues = file.error.issues.map((i) => ({ record: 'enrichments file', field: i.path.join('.') || '(root)', message: i.message }));
    throw new AppError(
      'INVALID_INPUT',
      `${ENRICHMENTS_LABEL} ${path} must look like {"version": 1, "enrichments": {"<lead id>": {…}}}:\n${formatIssues(issues, issues.length)}`,
      { safeMessage: `${ENRICHMENTS_LABEL} is invalid.`, issues },
    );
  }
  const issues: FieldIssue[] = [];
  for (const [leadId, value] of Object.entries(file.data.enrichments)) {
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
    throw new AppError('INVALID_INPUT', `${ENRICHMENTS_LABEL} ${path} has invalid entries:\n${formatIssues(issues, issues.length)}`, {
      safeMessage: `${ENRICHMENTS_LABEL} has invalid entries.`,
      issues,
    });
  }
  return byLead;
}

const FEEDBACK_LABEL = 'Feedback file';
const FEEDBACK_VERSION = 1;
const feedbackFileSchema = z.object({ version: z.literal(FEEDBACK_VERSION), feedback: z.array(z.unknown()) }).strict();

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

/** Keys sorted and 2-space indented, so the file diffs cleanly when it is committed or reviewed. */
export function serializeEnrichments(byLead: ReadonlyMap<string, Enrichment>): string {
  const enrichments: Record<string, Enrichment> = {};
  for (const id of [...byLead.keys()].sort(compareCodePoints)) enrichments[id] = byLead.get(id)!;
  return `${JSON.stringify({ version: ENRICHMENTS_VERSION, enrichments }, null, 2)}\n`;
}

/** Identifies one version of a file; atomic writes rename a new inode into place, so any write changes it. */
async function fileStamp(path: string): Promise<string | null> {
  try {
    const s = await fs.stat(path, { bigint: true });
    return `${s.ino}:${s.size}:${s.mtimeNs}:${s.ctimeNs}`;
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

/** One load of the leads file. Sort orders here depend only on lead data, so enrichment changes keep them. */
interface LeadsSnapshot {
  scored: StoredScore[];
  positionById: Map<string, number>;
  /** Each lead's table row as if it had no enrichment; views copy only the rows of enriched leads. */
  baseRows: LeadRow[];
  /** Lower-cased "name \0 company \0 email" per lead, for search. */
  searchText: string[];
  orders: Map<string, Int32Array>;
  coverage?: FieldCoverage;
}

interface EnrichmentsSnapshot {
  byLead: Map<string, Enrichment>;
}

/** Leads joined with enrichments: the table rows, plus the orders that depend on enrichment status. */
interface View {
  leads: LeadsSnapshot;
  enrichments: EnrichmentsSnapshot;
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
    /** Records a version this process just wrote, so reading it back needs no reload. */
    prime(stamp: string | null, value: T): void {
      latest = { stamp, promise: Promise.resolve(value) };
    },
  };
}

/** An empty list filters nothing, like an absent one. */
function filterSet<T>(values: readonly T[] | undefined): Set<T> | null {
  return values && values.length > 0 ? new Set(values) : null;
}

export function createFileStore(options: FileStoreOptions): LeadStore {
  const { leadsPath, enrichmentsPath, rules, asOf, skipInvalid = false, leadsOrigin } = options;
  const feedbackPath = options.feedbackPath ?? path.join(path.dirname(enrichmentsPath), 'feedback.json');
  const version = rulesVersion(rules);
  let view: View | undefined;

  async function readLeads(): Promise<LeadsSnapshot> {
    const { leads, issues, rejected } = await loadLeadsFile(leadsPath, { skipInvalid, origin: leadsOrigin });
    if (rejected > 0) {
      console.warn(`[leadsignal] Skipped ${rejected} invalid record(s) in ${leadsPath}:\n${formatIssues(issues)}`);
    }
    const now = resolveAsOf(leads, asOf);
    const scored = leads.map((lead) => scoreForStore(lead, { rules, now }));
    const searchText = leads.map((lead) => `${fullName(lead) ?? ''}\0${lead.company_name ?? ''}\0${lead.email ?? ''}`.toLowerCase());
    const positionById = new Map(leads.map((lead, i) => [lead.id, i]));
    const baseRows = scored.map((s) => toLeadRow(withEnrichment(s, null)));
    return { scored, positionById, baseRows, searchText, orders: new Map() };
  }

  async function readEnrichments(): Promise<EnrichmentsSnapshot> {
    const raw = await readOptionalJsonFile(enrichmentsPath, { label: ENRICHMENTS_LABEL });
    return { byLead: parseEnrichmentsFile(raw, enrichmentsPath) };
  }

  async function readFeedback(): Promise<NarrativeFeedback[]> {
    return parseFeedbackFile(await readOptionalJsonFile(feedbackPath, { label: FEEDBACK_LABEL }), feedbackPath);
  }

  const leadsVersions = loadPerVersion(readLeads);
  const feedbackVersions = loadPerVersion(readFeedback);
  const enrichmentsVersions = loadPerVersion(readEnrichments);
  const leadsSnapshot = async () => leadsVersions.get(await fileStamp(leadsPath));
  const enrichmentsSnapshot = async () => enrichmentsVersions.get(await fileStamp(enrichmentsPath));

  async function currentView(): Promise<View> {
    const [leads, enrichments] = await Promise.all([leadsSnapshot(), enrichmentsSnapshot()]);
    if (view && view.leads === leads && view.enrichments === enrichments) return view;
    const rows = leads.baseRows.slice();
    for (const [id, enrichment] of enrichments.byLead) {
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

      if (!tiers && !industries && !statuses && !confidences && !grounding && !search) {
        for (let k = start; k < Math.min(end, order.length); k++) page.push(rows[order[k]!]!);
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
        if (total >= start && total < end) page.push(row);
        total++;
      }
      return { rows: page, total, page: query.page, pageSize: query.pageSize };
    },

    async getLead(id) {
      const v = await currentView();
      const position = v.leads.positionById.get(id);
      if (position === undefined) return null;
      const scored = v.leads.scored[position]!;
      return withEnrichment(scored, v.enrichments.byLead.get(id) ?? null) satisfies ScoredLead;
    },

    async summary() {
      const v = await currentView();
      v.summary ??= summarize(v);
      return v.summary;
    },

    async outcomes() {
      const v = await currentView();
      const rows: OutcomeRow[] = [];
      v.leads.scored.forEach((s, i) => {
        if (s.lead.converted === undefined) return;
        const { enrichmentStatus, confidence, grounding } = v.rows[i]!;
        rows.push({ id: s.lead.id, score: s.score, tier: s.tier, converted: s.lead.converted, enrichmentStatus, confidence, grounding });
      });
      return rows;
    },

    async fieldCoverage() {
      const snapshot = await leadsSnapshot();
      snapshot.coverage ??= fieldCoverage(snapshot.scored.map((s) => toScorable(s.lead)));
      return snapshot.coverage;
    },

    async enrichments() {
      return new Map((await enrichmentsSnapshot()).byLead);
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
      await withFileLock(enrichmentsPath, async () => {
        // Re-read under the lock: another process may have written since this one last loaded the file.
        const byLead = parseEnrichmentsFile(await readOptionalJsonFile(enrichmentsPath, { label: ENRICHMENTS_LABEL }), enrichmentsPath);
        for (const enrichment of valid) {
          const existing = byLead.get(enrichment.lead_id);
          if (!existing || Date.parse(enrichment.enriched_at) >= Date.parse(existing.enriched_at)) byLead.set(enrichment.lead_id, enrichment);
        }
        await writeFileAtomic(enrichmentsPath, serializeEnrichments(byLead));
        // Still under the lock, so the stamp is of the file just written: the next read needs no reload.
        const stamp = await fileStamp(enrichmentsPath);
        enrichmentsVersions.prime(stamp, { byLead });
      });
    },

    async saveFeedback(item) {
      const feedback = validateFeedback(item);
      const { positionById } = await leadsSnapshot();
      if (!positionById.has(feedback.lead_id)) throw new AppError('NOT_FOUND', `Cannot save feedback for unknown lead "${feedback.lead_id}"`);
      await withFileLock(feedbackPath, async () => {
        const byKey = new Map((await readFeedback()).map((f) => [feedbackKey(f), f]));
        byKey.set(feedbackKey(feedback), feedback);
        const list = [...byKey.values()].sort(compareFeedback);
        await writeFileAtomic(feedbackPath, `${JSON.stringify({ version: FEEDBACK_VERSION, feedback: list }, null, 2)}\n`);
        feedbackVersions.prime(await fileStamp(feedbackPath), list);
      });
    },

    async feedback(leadId) {
      const list = await feedbackVersions.get(await fileStamp(feedbackPath));
      return leadId === undefined ? list.slice() : list.filter((f) => f.lead_id === leadId);
    },
  };
}
