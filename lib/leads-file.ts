import { promises as fs } from 'node:fs';
import { AppError, formatIssues, type FieldIssue } from './errors';
import { forEachJsonArrayElement } from './json-array-file';
import { readJsonFile } from './json-file';
import { leadCollector, type Lead } from './lead';

export interface LoadLeadsOptions {
  /** Load the valid records and return the bad ones as issues instead of failing (the caller warns). */
  skipInvalid?: boolean;
  /** The env var or flag that chose the path (e.g. "LEADS_PATH", "--leads"), named when the file is missing. */
  origin?: string;
  /** Files larger than this many bytes are read element by element (`WHOLE_READ_LIMIT` unless set). */
  wholeReadLimit?: number;
}

export interface LoadedLeads {
  leads: Lead[];
  /** Every problem in every rejected record (empty unless `skipInvalid`, since otherwise loading fails). */
  issues: FieldIssue[];
  rejected: number;
}

const LABEL = 'Leads file';

/**
 * Up to this size a leads file is read whole and parsed at once: the fastest way, and a syntax error
 * names its line and column. Past it (some 300,000 leads) the file is read element by element, which
 * holds only the parsed leads in memory and has no size limit; a syntax error then names the element.
 */
export const WHOLE_READ_LIMIT = 256 * 2 ** 20;

/**
 * Loads a JSON array of lead records and validates every one. By default one bad record fails the
 * whole load, listing every bad record, so nothing is silently left out of the dashboard or a backtest.
 */
export async function loadLeadsFile(path: string, { skipInvalid = false, origin, wholeReadLimit = WHOLE_READ_LIMIT }: LoadLeadsOptions = {}): Promise<LoadedLeads> {
  const collector = leadCollector();
  // A file that cannot be stat'ed is read whole, so the read reports why (missing, unreadable) as usual.
  const size = await fs.stat(path).then((stat) => stat.size, () => 0);
  let count: number;
  if (size > wholeReadLimit) {
    count = await forEachJsonArrayElement(path, LABEL, collector.add);
  } else {
    const raw = await readJsonFile(path, { label: LABEL, origin });
    if (!Array.isArray(raw)) {
      throw new AppError('INVALID_INPUT', `${LABEL} ${path} must hold a JSON array of lead records, found ${describeJson(raw)}`, {
        safeMessage: `${LABEL} must hold a JSON array of lead records.`,
      });
    }
    raw.forEach(collector.add);
    count = raw.length;
  }
  const { leads, issues, rejected } = collector.result();
  if (rejected > 0 && !skipInvalid) {
    throw new AppError(
      'INVALID_INPUT',
      `${LABEL} ${path}: ${rejected} of ${count} records are invalid:\n${formatIssues(issues, issues.length)}`,
      { safeMessage: `${LABEL}: ${rejected} of ${count} records are invalid.`, issues },
    );
  }
  return { leads, issues, rejected };
}

function describeJson(value: unknown): string {
  if (value === null) return 'null';
  return typeof value === 'object' ? 'an object' : `a ${typeof value}`;
}
