import type { FieldCoverage } from '../../rule-coverage';
import type { StoreSummary } from '../types';

/** The header numbers and field coverage from the SQL views (`lead_summary`, `lead_field_coverage`). */

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
 * Field coverage reads every record (jsonb_each over the table: a few hundred ms at 100,000 leads), so
 * the SQL adapters keep it for a minute; their own upserts forget it at once. Another process's seed shows
 * up within the minute: it only feeds a warning.
 */
export function cachedCoverage(read: () => Promise<FieldCoverage>, ttlMs = 60_000, clock = () => Date.now()) {
  let cached: { at: number; value: Promise<FieldCoverage> } | undefined;
  return {
    get(): Promise<FieldCoverage> {
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
 * computed with; an empty database reports the configured rules instead.
 */
export async function toStoreSummary(row: SummaryRow, industries: string[], configuredRulesVersion: () => Promise<string>): Promise<StoreSummary> {
  return {
    total: row.total,
    byTier: { HOT: row.hot, WARM: row.warm, COLD: row.cold },
    enriched: row.enriched,
    mock: row.mock,
    stale: row.stale,
    rulesVersion: row.rules_version ?? (await configuredRulesVersion()),
    industries,
  };
}
