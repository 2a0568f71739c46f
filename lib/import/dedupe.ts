import type { AttributeValue, Lead } from '../lead';

/**
 * Duplicate detection and merging for imported rows, streaming: each row is merged as it arrives, so
 * only one record per distinct lead is held.
 *
 * **Same lead** when any of these match (transitively: A~B by email and B~C by name + domain make one
 * lead of A, B and C — a union-find over groups):
 * - the same email, case-insensitively (emails arrive lowercased);
 * - the same first + last name (case- and whitespace-insensitive) at the same company domain. Only the
 *   company domain column counts, never the email's domain, so two "John Smith"s on gmail.com stay apart;
 * - the same record id (an export listing a record twice).
 *
 * **Merging**, field by field:
 * - engagement counters add up (two CRM records of one person each saw part of the activity);
 * - yes/no fields are OR-ed (a demo requested on either record was requested), `converted` too, and
 *   boolean attributes;
 * - `created_at` is the earliest and `last_activity_at` the latest of the rows;
 * - the id is the first row's id (in file order), so ids stay stable as exports grow at the end;
 * - every other field, attributes included: the newest non-empty value wins, "newest" meaning the row
 *   with the latest `last_activity_at` (else `created_at`); a row with neither counts as older than any
 *   dated row; on a tie (or no dates at all) the later row in the file wins.
 */

export type Draft = Omit<Lead, 'id'> & { id?: string };

export interface DedupeStats {
  /** Rows folded into a lead seen earlier, by the first key that matched. */
  byEmail: number;
  byName: number;
  byId: number;
  /** Leads joined into one because a later row matched both (e.g. one's email and the other's name). */
  linked: number;
}

interface Group {
  draft: Draft;
  firstRow: number;
  /** Row that supplied each newest-wins value; absent → the group's first row. */
  sources?: Map<string, number>;
}

const SUMMED = new Set(['email_opens_30d', 'email_clicks_30d', 'page_views_30d', 'pricing_page_views_30d', 'content_downloads_30d']);
const ORED = new Set(['webinar_attended', 'demo_requested', 'converted']);

export function nameKey(draft: Draft): string | undefined {
  if (!draft.first_name || !draft.last_name || !draft.company_domain) return undefined;
  const norm = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
  return `${norm(draft.first_name)}\u0000${norm(draft.last_name)}\u0000${draft.company_domain}`;
}

export class LeadMerger {
  private readonly groups: (Group | undefined)[] = [];
  private readonly parent: number[] = [];
  private readonly byEmail = new Map<string, number>();
  private readonly byName = new Map<string, number>();
  private readonly byId = new Map<string, number>();
  private rowTimes = new Float64Array(1024);
  private rows = 0;
  readonly stats: DedupeStats = { byEmail: 0, byName: 0, byId: 0, linked: 0 };

  /** Adds one clean row (rows must arrive in file order). */
  add(draft: Draft): void {
    const row = this.rows++;
    if (row >= this.rowTimes.length) {
      const grown = new Float64Array(this.rowTimes.length * 2);
      grown.set(this.rowTimes);
      this.rowTimes = grown;
    }
    const when = draft.last_activity_at ?? draft.created_at;
    this.rowTimes[row] = when === undefined ? Number.NEGATIVE_INFINITY : Date.parse(when);

    const email = draft.email;
    const name = nameKey(draft);
    const id = draft.id;
    const matches: number[] = [];
    const hit = (index: Map<string, number>, key: string | undefined): boolean => {
      if (key === undefined) return false;
      const group = index.get(key);
      if (group === undefined) return false;
      const root = this.find(group);
      if (!matches.includes(root)) matches.push(root);
      return true;
    };
    const byId = hit(this.byId, id);
    const byEmail = hit(this.byEmail, email);
    const byName = hit(this.byName, name);

    let root: number;
    if (matches.length === 0) {
      root = this.groups.length;
      this.groups.push({ draft, firstRow: row });
      this.parent.push(root);
    } else {
      if (byId) this.stats.byId++;
      else if (byEmail) this.stats.byEmail++;
      else if (byName) this.stats.byName++;
      root = matches.reduce((a, b) => this.union(a, b));
      this.mergeInto(this.groups[root]!, { draft, firstRow: row });
    }
    if (id !== undefined && !byId) this.byId.set(id, root);
    if (email !== undefined && !byEmail) this.byEmail.set(email, root);
    if (name !== undefined && !byName) this.byName.set(name, root);
  }

  /** The merged leads, in order of each lead's first row. */
  drafts(): Draft[] {
    const out: Draft[] = [];
    for (const group of this.groups) if (group) out.push(group.draft);
    return out;
  }

  get leadCount(): number {
    let n = 0;
    for (const group of this.groups) if (group) n++;
    return n;
  }

  private find(index: number): number {
    let root = index;
    while (this.parent[root] !== root) root = this.parent[root]!;
    // Path compression keeps later look-ups O(α(n)).
    while (this.parent[index] !== root) {
      const next = this.parent[index]!;
      this.parent[index] = root;
      index = next;
    }
    return root;
  }

  /** Joins two groups; the one whose first row is earlier survives. */
  private union(a: number, b: number): number {
    if (a === b) return a;
    const [keep, drop] = this.groups[a]!.firstRow < this.groups[b]!.firstRow ? [a, b] : [b, a];
    this.mergeInto(this.groups[keep]!, this.groups[drop]!);
    this.groups[drop] = undefined;
    this.parent[drop] = keep;
    this.stats.linked++;
    return keep;
  }

  private newer(a: number, b: number): boolean {
    const ta = this.rowTimes[a]!;
    const tb = this.rowTimes[b]!;
    return ta !== tb ? ta > tb : a > b;
  }

  /** Folds `other` into `group` by the rules in this module's comment. */
  private mergeInto(group: Group, other: Group): void {
    const target = group.draft as Record<string, unknown>;
    const source = other.draft as Record<string, unknown>;
    for (const key of Object.keys(source)) {
      const incoming = source[key];
      if (incoming === undefined) continue;
      if (key === 'attributes') {
        const into = (group.draft.attributes ??= {});
        for (const [name, value] of Object.entries(other.draft.attributes ?? {})) {
          const merged = this.pick(group, other, `attributes.${name}`, into[name], value);
          if (merged !== undefined) into[name] = merged;
        }
        continue;
      }
      const current = target[key];
      // `group` always holds the earlier first row (see `union`), so its id, when it has one, is kept.
      if (key === 'id') target.id = current ?? incoming;
      else if (current === undefined) {
        target[key] = incoming;
        this.source(group, key, other);
      } else if (SUMMED.has(key)) target[key] = (current as number) + (incoming as number);
      else if (ORED.has(key)) target[key] = (current as boolean) || (incoming as boolean);
      else if (key === 'created_at') target[key] = (incoming as string) < (current as string) ? incoming : current;
      else if (key === 'last_activity_at') target[key] = (incoming as string) > (current as string) ? incoming : current;
      else target[key] = this.pick(group, other, key, current as AttributeValue, incoming as AttributeValue);
    }
  }

  private pick(group: Group, other: Group, key: string, current: AttributeValue | undefined, incoming: AttributeValue): AttributeValue {
    if (current === undefined) {
      this.source(group, key, other);
      return incoming;
    }
    if (typeof current === 'boolean' && typeof incoming === 'boolean') return current || incoming;
    const mine = group.sources?.get(key) ?? group.firstRow;
    const theirs = other.sources?.get(key) ?? other.firstRow;
    if (!this.newer(theirs, mine)) return current;
    this.source(group, key, other);
    return incoming;
  }

  private source(group: Group, key: string, other: Group): void {
    (group.sources ??= new Map()).set(key, other.sources?.get(key) ?? other.firstRow);
  }
}
