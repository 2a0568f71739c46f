import { AppError, formatIssues, type FieldIssue } from './errors';
import { readJsonFile } from './json-file';
import { parseLeads, type Lead } from './lead';

export interface LoadLeadsOptions {
  /** Load the valid records and return the bad ones as issues instead of failing (the caller warns). */
  skipInvalid?: boolean;
  /** The env var or flag that chose the path (e.g. "LEADS_PATH", "--leads"), named when the file is missing. */
  origin?: string;
}

export interface LoadedLeads {
  leads: Lead[];
  /** Every problem in every rejected record (empty unless `skipInvalid`, since otherwise loading fails). */
  issues: FieldIssue[];
  rejected: number;
}

const LABEL = 'Leads file';

/**
 * Loads a JSON array of lead records and validates every one. By default one bad record fails the
 * whole load, listing every bad record, so nothing is silently left out of the dashboard or a backtest.
 */
export async function loadLeadsFile(path: string, { skipInvalid = false, origin }: LoadLeadsOptions = {}): Promise<LoadedLeads> {
  const raw = await readJsonFile(path, { label: LABEL, origin });
  if (!Array.isArray(raw)) {
    throw new AppError('INVALID_INPUT', `${LABEL} ${path} must hold a JSON array of lead records, found ${describeJson(raw)}`, {
      safeMessage: `${LABEL} must hold a JSON array of lead records.`,
    });
  }
  const { leads, issues, rejected } = parseLeads(raw);
  if (rejected > 0 && !skipInvalid) {
    throw new AppError(
      'INVALID_INPUT',
      `${LABEL} ${path}: ${rejected} of ${raw.length} records are invalid:\n${formatIssues(issues, issues.length)}`,
      { safeMessage: `${LABEL}: ${rejected} of ${raw.length} records are invalid.`, issues },
    );
  }
  return { leads, issues, rejected };
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
