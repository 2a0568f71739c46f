import { describe, expect, it } from 'vitest';
import { DedupeIndex, KeyTable, RowKeysWriter, mergeRows } from '@/lib/import/dedupe';

/** A row's keys as the row stage writes them (`RowKeysWriter`). */
interface RowKeys {
  id?: string;
  email?: string;
  name?: string;
  time: number;
}

describe('KeyTable', () => {
  it('maps every key exactly through growth, including non-ASCII, long and prefix-sharing keys', () => {
    const table = new KeyTable();
    // Keys are read from inside a larger buffer, as from a block's key bytes.
    const at = (key: string) => {
      const bytes = Buffer.from(`>>${key}<<`);
      return [bytes, 2, bytes.length - 2] as const;
    };
    const keys = Array.from({ length: 30_000 }, (_, i) => (i % 3 === 0 ? `jürgen.müller${i}@example.com` : i % 3 === 1 ? `k${i}` : `${'x'.repeat(300)}${i}`));
    keys.forEach((key, i) => {
      expect(table.get(...at(key))).toBe(-1);
      table.set(i);
    });
    expect(table.size).toBe(keys.length);
    keys.forEach((key, i) => expect(table.get(...at(key))).toBe(i));
    for (const absent of ['', 'k', 'k30000', 'jürgen.müller0@example.co', `${'x'.repeat(300)}`]) expect(table.get(...at(absent))).toBe(-1);
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

describe('DedupeIndex + mergeRows', () => {
  it('groups transitively and merges by the documented rules, whatever order the rows join in', () => {
    const index = new DedupeIndex();
    const t = (iso: string) => Date.parse(iso);
    const add = (...rows: RowKeys[]) => {
      const writer = new RowKeysWriter();
      for (const { id, email, name, time } of rows) {
        writer.text(id);
        writer.text(email);
        writer.text(name);
        writer.endRow(time);
      }
      const { keys, times } = writer.finish();
      return index.addRows(keys, times);
    };
    expect(add({ id: 'a', email: 'ann@x.io', time: t('2024-01-01') }, { id: 'b', name: 'bob\u0000ray\u0000y.io', time: t('2024-02-01') })).toBe(0);
    // A later block: rows go on numbering, and keys match across blocks.
    expect(add({ id: 'c', email: 'ann@x.io', name: 'bob\u0000ray\u0000y.io', time: Number.NEGATIVE_INFINITY }, { id: 'd', email: 'other@x.io', time: t('2024-01-01') })).toBe(2);
    expect(index.stats).toEqual({ byEmail: 1, byName: 0, byId: 0, linked: 1 });
    const groups = index.finish();
    expect([...groups.groups()]).toEqual([0, 2]);
    expect(groups.sizes[0]).toBe(3);
    expect(groups.idRows[0]).toBe(0);
    const merged = mergeRows(
      [
        { row: 0, draft: { email: 'ann@x.io', job_title: 'Analyst', email_opens_30d: 1, demo_requested: false, attributes: { tier: 'Free', partner: false } } },
        { row: 1, draft: { job_title: 'Engineer', email_opens_30d: 2, created_at: '2024-01-05T00:00:00.000Z', attributes: { partner: true } } },
        { row: 2, draft: { job_title: 'Undated', demo_requested: true, created_at: '2023-12-01T00:00:00.000Z', attributes: { tier: 'Pro' } } },
      ],
      groups,
    );
    // Row 1 is the newest dated row; the undated row 2 only fills what nobody else has, and ORs/sums/min apply.
    expect(merged).toEqual({
      email: 'ann@x.io',
      job_title: 'Engineer',
      email_opens_30d: 3,
      demo_requested: true,
      created_at: '2023-12-01T00:00:00.000Z',
      attributes: { tier: 'Free', partner: true },
    });
  });
});
