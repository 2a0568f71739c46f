import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { ByteWriter } from '@/lib/import/byte-writer';
import { createRng } from '@/lib/import/dirty-export';
import { DedupeGroups, DedupeIndex, KeyTable, LineValues, mergeLines, mergeRuleOf, type LineLayout } from '@/lib/import/dedupe';

/** A row's keys as the row stage writes them (`RowKeysWriter`). */
interface RowKeys {
  id?: string;
  email?: string;
  name?: string;
  time: number;
}

describe('KeyTable', () => {
  it('maps every key exactly through growth, including non-ASCII, long and prefix-sharing keys, with hits in between', () => {
    const table = new KeyTable();
    // Keys are read from inside a larger buffer, as from a block's key bytes.
    const at = (key: string) => {
      const bytes = Buffer.from(`>>${key}<<`);
      return [bytes, 2, bytes.length - 2] as const;
    };
    const keys = Array.from({ length: 30_000 }, (_, i) => (i % 3 === 0 ? `jürgen.müller${i}@example.com` : i % 3 === 1 ? `k${i}` : `${'x'.repeat(300)}${i}`));
    keys.forEach((key, i) => {
      // A hit in between: its bytes pass through the spot where the next new key is kept.
      if (i > 0) expect(table.get(...at(keys[i >> 1]!))).toBe(i >> 1);
      expect(table.get(...at(key))).toBe(-1);
      table.set(i);
    });
    expect(table.size).toBe(keys.length);
    keys.forEach((key, i) => expect(table.get(...at(key))).toBe(i));
    for (const absent of ['', 'k', 'k30000', 'jürgen.müller0@example.co', `${'x'.repeat(300)}`]) expect(table.get(...at(absent))).toBe(-1);
  });

  it('keeps a key longer than a page of key bytes (1 MiB), and the keys after it', () => {
    const table = new KeyTable();
    const long = Buffer.alloc(1_500_000, 'x');
    long[long.length - 1] = 0x79;
    const first = Buffer.from('first');
    expect(table.get(first, 0, first.length)).toBe(-1);
    table.set(0);
    expect(table.get(long, 0, long.length)).toBe(-1);
    table.set(1);
    const next = Buffer.from('next');
    expect(table.get(next, 0, next.length)).toBe(-1);
    table.set(2);
    expect([table.get(first, 0, first.length), table.get(Buffer.from(long), 0, long.length), table.get(next, 0, next.length)]).toEqual([0, 1, 2]);
    expect(table.get(long, 0, long.length - 1)).toBe(-1);
  });

  it('only sets a key that was just reported missing', () => {
    const table = new KeyTable();
    const a = Buffer.from('a');
    table.get(a, 0, 1);
    table.set(1);
    expect(() => table.set(2)).toThrow('no key was just reported missing');
    expect(table.get(a, 0, 1)).toBe(1);
    expect(() => table.set(2)).toThrow('no key was just reported missing');
  });
});

/** A line layout as the row stage plans one: these lead fields in this order, then these attributes (name, boolean?). */
function layoutOf(fields: string[], attributes: [name: string, boolean: boolean][]): LineLayout {
  return {
    keyJson: [...fields, ...attributes.map(([name]) => name)].map((key) => Buffer.from(`${JSON.stringify(key)}:`)),
    fieldOrder: fields.map((_, i) => i),
    attributeIndexes: attributes.map((_, i) => fields.length + i),
    mergeRules: [...fields.map((field) => mergeRuleOf(field, null)), ...attributes.map(([name, boolean]) => mergeRuleOf(name, { boolean }))],
  };
}

/** A row's JSON line: the draft's keys must already be in the layout's order, as the row stage writes them. */
const lineOf = (row: number, draft: object) => ({ row, line: Buffer.from(JSON.stringify(draft)) });

function merged(layout: LineLayout, rows: { row: number; line: Buffer }[], groups: DedupeGroups, idRow: number): string {
  const out = new ByteWriter(64);
  mergeLines(layout, rows.map(({ row, line }) => ({ row, line, values: new LineValues(layout).read(line, 0, line.length) })), groups, idRow, out);
  return out.toString();
}

describe('LineValues', () => {
  it('finds each value of a line, strings with escaped quotes, commas and braces included, and nothing for a missing slot', () => {
    const layout = layoutOf(['id', 'job_title', 'email_opens_30d', 'demo_requested'], [['note', false], ['vip', true]]);
    const title = 'A "quoted", {braced} \\ title}';
    const line = Buffer.from(JSON.stringify({ id: 'x', job_title: title, demo_requested: false, attributes: { vip: true } }));
    const values = new LineValues(layout).read(line, 0, line.length);
    const text = (slot: number) => (values.starts[slot]! < 0 ? undefined : line.toString('utf8', values.starts[slot], values.ends[slot]));
    expect([0, 1, 2, 3, 4, 5].map(text)).toEqual(['"x"', JSON.stringify(title), undefined, 'false', undefined, 'true']);
  });
});

describe('DedupeIndex + mergeLines', () => {
  const t = (iso: string) => Date.parse(iso);
  /** Adds rows' keys in the form the row stage writes them (`RowKeysWriter`); returns the first row's number. */
  const add = (index: DedupeIndex, ...rows: RowKeys[]) => {
    const keys = Buffer.from(rows.map(({ id, email, name }) => `${id ?? ''}\n${email ?? ''}\n${name ?? ''}\n`).join(''));
    return index.addRows(keys, Float64Array.from(rows, (row) => row.time));
  };

  it('groups transitively and merges by the documented rules, whatever order the rows join in', () => {
    const index = new DedupeIndex();
    expect(add(index, { id: 'a', email: 'ann@x.io', time: t('2024-01-01') }, { id: 'b', name: 'bob\u0000ray\u0000y.io', time: t('2024-02-01') })).toBe(0);
    // A later block: rows go on numbering, and keys match across blocks.
    expect(add(index, { id: 'c', email: 'ann@x.io', name: 'bob\u0000ray\u0000y.io', time: Number.NEGATIVE_INFINITY }, { id: 'd', email: 'other@x.io', time: t('2024-01-01') })).toBe(2);
    expect(index.stats).toEqual({ byEmail: 1, byName: 0, byId: 0, linked: 1 });
    const groups = index.finish();
    expect([...groups.leadGroups]).toEqual([0, 2]);
    expect(groups.sizes[0]).toBe(3);
    expect(groups.idRows[0]).toBe(0);
    const layout = layoutOf(['id', 'email', 'job_title', 'email_opens_30d', 'demo_requested', 'created_at'], [['tier', false], ['partner', true]]);
    const rows = [
      lineOf(0, { id: 'a', email: 'ann@x.io', job_title: 'Analyst', email_opens_30d: 1, demo_requested: false, attributes: { tier: 'Free', partner: false } }),
      lineOf(1, { id: 'b', job_title: 'Engineer', email_opens_30d: 2, created_at: '2024-01-05T00:00:00.000Z', attributes: { partner: true } }),
      lineOf(2, { id: 'c', job_title: 'Undated', demo_requested: true, created_at: '2023-12-01T00:00:00.000Z', attributes: { tier: 'Pro' } }),
    ];
    // Row 1 is the newest dated row; the undated row 2 only fills what nobody else has, and ORs/sums/min apply.
    // The line is written as the row stage writes one: keys in the layout's order, no spaces.
    expect(merged(layout, rows, groups, groups.idRows[0]!)).toBe(
      JSON.stringify({
        id: 'a',
        email: 'ann@x.io',
        job_title: 'Engineer',
        email_opens_30d: 3,
        demo_requested: true,
        created_at: '2023-12-01T00:00:00.000Z',
        attributes: { tier: 'Free', partner: true },
      }),
    );
  });

  it('groups the same when sized up front, for fewer or more rows than come', () => {
    const rng = createRng(7);
    const pick = (n: number) => Math.floor(rng() * n);
    const rows: RowKeys[] = Array.from({ length: 6_000 }, (_, i) => ({
      id: rng() < 0.9 ? `id${pick(5_500)}` : undefined,
      email: rng() < 0.8 ? `p${pick(4_000)}@x.io` : undefined,
      name: rng() < 0.7 ? `n${pick(3_000)}\u0000l\u0000x.io` : undefined,
      time: i,
    }));
    const grouped = (expected: number | null) => {
      const index = new DedupeIndex();
      add(index, ...rows.slice(0, 500));
      if (expected !== null) index.expect(expected);
      add(index, ...rows.slice(500));
      const { groupOf, sizes, idRows } = index.finish();
      return { stats: index.stats, groupOf: [...groupOf], sizes: [...sizes], idRows: [...idRows] };
    };
    const grown = grouped(null);
    expect(grown.stats.linked).toBeGreaterThan(0);
    expect(grouped(rows.length)).toEqual(grown);
    expect(grouped(1_000)).toEqual(grown);
    expect(grouped(200_000)).toEqual(grown);
  });

  it('takes the latest last activity, the later row on a tie of dates, and writes no id when the group has none', () => {
    const index = new DedupeIndex();
    const day = t('2024-03-01');
    add(index, { email: 'a@x.io', time: day }, { email: 'a@x.io', time: day }, { email: 'a@x.io', time: t('2024-01-01') });
    const groups = index.finish();
    expect(groups.idRows[0]).toBe(-1);
    const layout = layoutOf(['job_title', 'page_views_30d', 'last_activity_at'], [['seats', false]]);
    const rows = [
      lineOf(0, { job_title: 'First', page_views_30d: 0.5, last_activity_at: '2024-03-01T00:00:00.000Z', attributes: { seats: 10 } }),
      lineOf(1, { job_title: 'Second', last_activity_at: '2024-03-01T00:00:00.000Z' }),
      lineOf(2, { job_title: 'Older', page_views_30d: 2, last_activity_at: '2024-01-01T00:00:00.000Z', attributes: { seats: 99 } }),
    ];
    expect(JSON.parse(merged(layout, rows, groups, -1))).toEqual({
      job_title: 'Second',
      page_views_30d: 2.5,
      last_activity_at: '2024-03-01T00:00:00.000Z',
      attributes: { seats: 10 },
    });
  });

  /**
   * The merge rules of dedupe.ts's comment, on objects: the reference `mergeLines` must agree with,
   * whatever the values' JSON looks like (escapes, non-ASCII, numbers of any form).
   */
  function referenceMerge(rows: { row: number; draft: Record<string, unknown> }[], groups: DedupeGroups, idRow: number): Record<string, unknown> {
    const summed = ['email_opens_30d', 'page_views_30d'];
    const ored = ['demo_requested'];
    const merged: Record<string, unknown> = {};
    const attributes: Record<string, unknown> = {};
    const source = new Map<string, number>();
    const newest = (into: Record<string, unknown>, key: string, value: unknown, row: number) => {
      if (into[key] === undefined || groups.newer(row, source.get(key)!)) {
        into[key] = value;
        source.set(key, row);
      }
    };
    for (const { row, draft } of rows) {
      for (const [key, value] of Object.entries(draft)) {
        if (key === 'id') {
          if (row === idRow) merged.id = value;
        } else if (key === 'attributes') {
          for (const [name, attribute] of Object.entries(value as Record<string, unknown>)) {
            if (typeof attribute === 'boolean') attributes[name] = attributes[name] === true || attribute;
            else newest(attributes, name, attribute, row);
          }
        } else if (summed.includes(key)) merged[key] = ((merged[key] as number | undefined) ?? 0) + (value as number);
        else if (ored.includes(key)) merged[key] = merged[key] === true || value;
        else if (key === 'created_at') merged[key] = merged[key] === undefined || (value as string) < (merged[key] as string) ? value : merged[key];
        else if (key === 'last_activity_at') merged[key] = merged[key] === undefined || (value as string) > (merged[key] as string) ? value : merged[key];
        else newest(merged, key, value, row);
      }
    }
    if (Object.keys(attributes).length) merged.attributes = attributes;
    return merged;
  }

  it('property: merges any rows as the documented rules do, and writes the merged line in the layout’s key order', () => {
    const fields = ['id', 'job_title', 'email_opens_30d', 'page_views_30d', 'demo_requested', 'created_at', 'last_activity_at'];
    const layout = layoutOf(fields, [['tier', false], ['seats', false], ['partner', true]]);
    const text = fc.oneof(fc.string(), fc.string({ unit: 'grapheme' }), fc.constantFrom('a "quoted", {braced} \\ title}', 'line\nbreak', '\u2028', 'Zoë'));
    const date = fc.date({ min: new Date('2000-01-01'), max: new Date('2030-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    const draft = fc.record(
      {
        id: fc.string({ minLength: 1 }),
        job_title: text,
        email_opens_30d: fc.nat(),
        page_views_30d: fc.nat(),
        demo_requested: fc.boolean(),
        created_at: date,
        last_activity_at: date,
        attributes: fc.record({ tier: text, seats: fc.oneof(fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })), partner: fc.boolean() }, { requiredKeys: [] }),
      },
      { requiredKeys: [] },
    );
    fc.assert(
      fc.property(fc.array(draft, { minLength: 1, maxLength: 4 }), fc.nat(), (drafts, pick) => {
        // Drafts without attributes have no attributes member, as the row stage writes them.
        const cleaned = drafts.map((d) => (d.attributes && Object.keys(d.attributes).length === 0 ? { ...d, attributes: undefined } : d));
        const times = Float64Array.from(cleaned, (d) => (d.last_activity_at ?? d.created_at ? Date.parse((d.last_activity_at ?? d.created_at)!) : Number.NEGATIVE_INFINITY));
        const withId = cleaned.flatMap((d, row) => (d.id === undefined ? [] : [row]));
        const idRow = withId.length ? withId[pick % withId.length]! : -1;
        const groups = new DedupeGroups(new Int32Array(cleaned.length), Int32Array.of(cleaned.length), Int32Array.of(idRow), times);
        const rows = cleaned.map((d, row) => ({ row, draft: JSON.parse(JSON.stringify(d)) as Record<string, unknown> }));
        const expected = referenceMerge(rows, groups, idRow);
        const ordered = Object.fromEntries(fields.filter((f) => expected[f] !== undefined).map((f) => [f, expected[f]]));
        const attributes = expected.attributes as Record<string, unknown> | undefined;
        if (attributes) ordered.attributes = Object.fromEntries(['tier', 'seats', 'partner'].filter((a) => a in attributes).map((a) => [a, attributes[a]]));
        const line = merged(layout, rows.map(({ row, draft }) => lineOf(row, draft)), groups, idRow);
        expect(line).toBe(JSON.stringify(ordered));
      }),
      { numRuns: 500 },
    );
  });
});
