import type { MergeRule } from './cells';

/**
 * Duplicate detection and merging for imported rows.
 *
 * **Same lead** when any of these match (transitively: A~B by email and B~C by name + domain make one
 * lead of A, B and C):
 * - the same email, case-insensitively (emails arrive lowercased);
 * - the same first + last name (case- and whitespace-insensitive) at the same company domain. Only the
 *   company domain column counts, never the email's domain, so two "John Smith"s on gmail.com stay apart;
 * - the same record id (an export listing a record twice).
 *
 * DuckDB finds the rows that share a key with another row; only those come here, in file order, for a
 * union-find (`groupRows`), whose groups go back to DuckDB to be merged (`mergeSql`), field by field:
 * - engagement counters add up (two CRM records of one person each saw part of the activity);
 * - yes/no fields are OR-ed (a demo requested on either record was requested), `converted` too, and
 *   boolean attributes;
 * - `created_at` is the earliest and `last_activity_at` the latest of the rows;
 * - the id is the first row's id (in file order), so ids stay stable as exports grow at the end; when
 *   two groups join, the one whose first row came first keeps its id;
 * - every other field, attributes included: the newest non-empty value wins, "newest" meaning the row
 *   with the latest `last_activity_at` (else `created_at`); a row with neither counts as older than any
 *   dated row; on a tie (or no dates at all) the later row in the file wins.
 */

export interface DedupeStats {
  /** Rows folded into a lead seen earlier, by the first key that matched (id, then email, then name). */
  byEmail: number;
  byName: number;
  byId: number;
  /** Leads joined into one because a later row matched both (e.g. one's email and the other's name). */
  linked: number;
}

/** A row sharing a key with another row: its keys that other rows share (null: none or unshared), in file order. */
export interface CandidateRow {
  line: number;
  /** Whether the row has an id at all (shared or not): the group keeps the first row's. */
  hasId: boolean;
  id: string | null;
  email: string | null;
  name: string | null;
}

export interface GroupedRow {
  line: number;
  /** The line of the group's first row: the group's name. */
  group: number;
  /** The line of the row whose id the group keeps, or null (the lead gets a generated id). */
  idLine: number | null;
}

/**
 * Groups rows that share keys, transitively, folding them in one by one in file order: a row matching
 * nothing seen starts a group; matching one or more joins them, the group started first surviving.
 */
export function groupRows(rows: readonly CandidateRow[]): { rows: GroupedRow[]; stats: DedupeStats } {
  const parent: number[] = [];
  /** Group → index (into `rows`) of the row whose id it keeps, -1: none yet. */
  const idRow: number[] = [];
  const groupOf: number[] = [];
  const keys = { id: new Map<string, number>(), email: new Map<string, number>(), name: new Map<string, number>() };
  const stats: DedupeStats = { byEmail: 0, byName: 0, byId: 0, linked: 0 };
  const find = (group: number): number => {
    let root = group;
    while (parent[root] !== root) root = parent[root]!;
    while (parent[group] !== root) [group, parent[group]] = [parent[group]!, root];
    return root;
  };
  rows.forEach((row, index) => {
    const matches: number[] = [];
    const hit = (kind: keyof typeof keys, key: string | null): boolean => {
      const group = key === null ? undefined : keys[kind].get(key);
      if (group === undefined) return false;
      const root = find(group);
      if (!matches.includes(root)) matches.push(root);
      return true;
    };
    const byId = hit('id', row.id);
    const byEmail = hit('email', row.email);
    const byName = hit('name', row.name);
    let root: number;
    if (matches.length === 0) {
      root = parent.length;
      parent.push(root);
      idRow.push(row.hasId ? index : -1);
    } else {
      if (byId) stats.byId++;
      else if (byEmail) stats.byEmail++;
      else stats.byName++;
      root = matches[0]!;
      for (const other of matches.slice(1)) {
        if (other === root) continue;
        const [keep, drop] = root < other ? [root, other] : [other, root];
        parent[drop] = keep;
        if (idRow[keep]! < 0) idRow[keep] = idRow[drop]!;
        stats.linked++;
        root = keep;
      }
      if (row.hasId && idRow[root]! < 0) idRow[root] = index;
    }
    groupOf.push(root);
    if (row.id !== null && !byId) keys.id.set(row.id, root);
    if (row.email !== null && !byEmail) keys.email.set(row.email, root);
    if (row.name !== null && !byName) keys.name.set(row.name, root);
  });
  // A group's name is the line of the row that started it (groups are numbered in that order).
  const firstRow: number[] = [];
  groupOf.forEach((group, index) => {
    if (firstRow[group] === undefined) firstRow[group] = index;
  });
  return {
    rows: rows.map((row, index) => {
      const root = find(groupOf[index]!);
      const keeper = idRow[root]!;
      return { line: row.line, group: rows[firstRow[root]!]!.line, idLine: keeper < 0 ? null : rows[keeper]!.line };
    }),
    stats,
  };
}

/**
 * The SQL aggregate that merges column `v` of a group's rows by its rule. Values are lead members
 * (`"key":value`, `key` being `"key":`); rows carry `line`, `id_line` (the group's id row) and `newest`
 * (a sortable (date, line) pair).
 */
export function mergeSql(rule: MergeRule, v: string, key: string): string {
  switch (rule) {
    case 'id':
      return `max(CASE WHEN line = id_line THEN ${v} END)`;
    case 'sum':
      return `'${key}' || CAST(sum(CAST(substr(${v}, ${key.length + 1}) AS BIGINT)) AS VARCHAR)`;
    case 'or':
      return `CASE WHEN bool_or(${v} = '${key}true') THEN '${key}true' WHEN count(${v}) > 0 THEN '${key}false' END`;
    case 'earliest':
      return `min(${v})`;
    case 'latest':
      return `max(${v})`;
    case 'newest':
      return `arg_max(${v}, newest) FILTER (WHERE ${v} IS NOT NULL)`;
  }
}
