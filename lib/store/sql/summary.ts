import type { FieldCoverage } from '../../rule-coverage';
import type { StoreSummary } from '../types';

/** The header numbers and field coverage from the SQL views (`lead_summary`, `lead_field_coverage`), and the minute-long cache of whole-table reads. */

/** A row of the `lead_field_coverage` view: leads with a value per field (`attributes.<name>` for custom columns). */
export interface CoverageRow {
  field: string;
  leads: number;
}

export function toFieldCoverage(total: number, rows: readonly CoverageRow[]): FieldCoverage {
  const present = [...rows].sort((a, b) => (a.field < b.field ? -1 : a.field > b.field ? 1 : 0)).map((r) => [r.field, Number(r.leads)] as const);
  return { total: Number(total), present: Object.fromEntries(present) };
}

/**
 * Reads of every record (field coverage: jsonb_each over the table, a few hundred ms at 100,000 leads; the
 * scored records /validate analyses) are kept for a minute by the SQL adapters; their own upserts forget
 * them at once. Another process's seed shows up within the minute: they feed warnings and analysis, not
 * the lead table. Within the minute every caller gets the same value (the same array), to memoise on.
 */
export function cachedRead<T>(read: () => Promise<T>, ttlMs = 60_000, clock = () => Date.now()) {
  let cached: { at: number; value: Promise<T> } | undefined;
  return {
    get(): Promise<T> {
      if (!cached || clock() - cached.at > ttlMs) {
        const entry = { at: clock(), value: read() };
        entry.value.catch(() => {
          if (cached === entry) cached = undefined;
        });
        cached = entry;
      }
      return cached.value;
    },
    forget(): void {
      cached = undefined;
    },
  };
}

/** A row of the `lead_summary` view. */
export interface SummaryRow {
  total: number;
  hot: number;
  warm: number;
  cold: number;
  enriched: number;
  mock: number;
  stale: number;
  rules_version: string | null;
}

/**
 * The header numbers from the summary view. The rules version is the one most stored scores were
 * computed with; an empty database reports the configured rules instead. `outdated`: leads scored under
 * another rules version than the configured one.
 */
export function toStoreSummary(row: SummaryRow, industries: string[], { configuredRulesVersion, outdated }: { configuredRulesVersion: string; outdated: number }): StoreSummary {
  return {
    total: row.total,
    byTier: { HOT: row.hot, WARM: row.warm, COLD: row.cold },
    enriched: row.enriched,
    mock: row.mock,
    stale: row.stale,
    rulesVersion: row.rules_version ?? configuredRulesVersion,
    configuredRulesVersion,
    outdatedScores: outdated,
    industries,
  };
}
