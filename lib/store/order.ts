import type { NarrativeFeedback } from '../enrichment/feedback';
import type { EnrichmentStatus } from '../enrichment/schema';
import { LEAD_TABLE_TEXT_COLUMNS } from '../lead-fields';
import type { Tier } from '../scoring';
import type { LeadRow, SortDirection, SortKey } from './types';

/**
 * The orders ./types.ts documents, as comparators: the file store and the test stores sort with them, and
 * the SQL adapters' ORDER BY (./sql/lead-query.ts) must agree with them.
 */

const TIER_RANK: Record<Tier, number> = { COLD: 0, WARM: 1, HOT: 2 };
const ENRICHMENT_RANK: Record<EnrichmentStatus, number> = { none: 0, stale: 1, mock: 2, claude: 3 };

/**
 * Compares strings by Unicode code point, as SQL `COLLATE "C"` does. JavaScript's `<` compares UTF-16
 * code units, which disagrees only when a surrogate pair meets a character in U+E000–U+FFFF; shifting
 * those two ranges past each other restores code-point order.
 */
export function compareCodePoints(a: string, b: string): number {
  if (a === b) return 0;
  const length = Math.min(a.length, b.length);
  for (let i = 0; i < length; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x += x <= 0xdfff ? 0x2000 : -0x800;
      y += y <= 0xdfff ? 0x2000 : -0x800;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Score descending, then id ascending: the tie-break of every sort, whatever the key and direction. */
function compareTies(a: LeadRow, b: LeadRow): number {
  return b.score - a.score || compareCodePoints(a.id, b.id);
}

/**
 * The row order of ./types.ts for one sort key and direction. Ties are not mirrored by `desc`, and
 * missing text sorts last in both directions, so a descending order is not the ascending one reversed.
 */
export function compareRows(key: SortKey, direction: SortDirection): (a: LeadRow, b: LeadRow) => number {
  const sign = direction === 'asc' ? 1 : -1;
  switch (key) {
    case 'score':
      return (a, b) => sign * (a.score - b.score) || compareTies(a, b);
    case 'tier':
      return (a, b) => sign * (TIER_RANK[a.tier] - TIER_RANK[b.tier]) || compareTies(a, b);
    case 'enrichment':
      return (a, b) => sign * (ENRICHMENT_RANK[a.enrichmentStatus] - ENRICHMENT_RANK[b.enrichmentStatus]) || compareTies(a, b);
    default: {
      const cell = LEAD_TABLE_TEXT_COLUMNS[key].rowKey;
      return (a, b) => {
        const x = a[cell];
        const y = b[cell];
        if (x === null || y === null) return (x === null ? 1 : 0) - (y === null ? 1 : 0) || compareTies(a, b);
        return sign * compareCodePoints(x.toLowerCase(), y.toLowerCase()) || compareTies(a, b);
      };
    }
  }
}

/** The documented feedback order (./types.ts): lead id, then narrative time, then author key. */
export function compareFeedback(a: NarrativeFeedback, b: NarrativeFeedback): number {
  return (
    compareCodePoints(a.lead_id, b.lead_id) ||
    Date.parse(a.narrative.enriched_at) - Date.parse(b.narrative.enriched_at) ||
    compareCodePoints(a.author.key, b.author.key)
  );
}
