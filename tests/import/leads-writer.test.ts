import { describe, expect, it } from 'vitest';
import { createRng } from '@/lib/import/dirty-export';
import { LeadsWriter, type LeadOf, type WriterSpellings } from '@/lib/import/leads-writer';
import { SPELLING_MARK } from '@/lib/import/rows';

/** Repeatable pseudo-random integers in [0, n). */
function seeded(seed: number) {
  const rng = createRng(seed);
  return (n: number) => Math.floor(rng() * n);
}

const TABLES = 12; // two-digit table numbers too
const mark = (table: number) => `${String.fromCharCode(SPELLING_MARK)}${table}${String.fromCharCode(SPELLING_MARK)}`;

/** A spill of `rows` lines with spelling markers, what the leads file body must be, and the writer's inputs. */
function makeCase(rows: number, seed: number) {
  const random = seeded(seed);
  const spellings: WriterSpellings[] = Array.from({ length: TABLES }, (_, t) => ({
    rows: new Int32Array(rows).fill(-1),
    json: Array.from({ length: 1 + random(4) }, (_, s) => Buffer.from(JSON.stringify(`t${t}·s${s}${'x'.repeat(random(30))}`))),
  }));
  const simple = new Uint8Array(rows);
  const lines: string[] = [];
  const resolved: string[] = [];
  for (let r = 0; r < rows; r++) {
    simple[r] = random(10) < 7 ? 1 : 0;
    // Mostly short lines; some longer than the output region, a few longer than the input region.
    const size = [5, 40, 120, 700][random(4)]!;
    let line = `{"id":"r${r}","note":"${'é,"{}'.repeat(random(3))}${'n'.repeat(random(size))}"`;
    let out = line;
    for (const t of [random(TABLES), random(TABLES)]) {
      if (spellings[t]!.rows[r]! >= 0) continue;
      const s = random(spellings[t]!.json.length);
      spellings[t]!.rows[r] = s;
      line += `,"c${t}":${mark(t)}`;
      out += `,"c${t}":${spellings[t]!.json[s]!.toString()}`;
    }
    lines.push(`${line}}`);
    resolved.push(`${out}}`);
  }
  const leadOf: LeadOf = (line, start, end, row) => {
    // The writer hands over other rows, and its own rows only when they outgrow an output region.
    const text = line.toString('utf8', start, end);
    expect(text).toBe(lines[row]);
    if (simple[row]) return Buffer.from(resolved[row]!);
    return row % 3 === 0 ? null : Buffer.from(`{"merged":${row}}`);
  };
  const expected = resolved.flatMap((text, r) => (simple[r] ? [text] : r % 3 === 0 ? [] : [`{"merged":${r}}`])).join(',\n');
  return { spill: Buffer.from(lines.map((line) => `${line}\n`).join('')), simple, spellings, leadOf, expected };
}

async function* pieces(bytes: Buffer, random: (n: number) => number, largest: number): AsyncGenerator<Buffer> {
  for (let at = 0; at < bytes.length; ) {
    const size = 1 + random(largest);
    yield bytes.subarray(at, at + size);
    at += size;
  }
}

describe('LeadsWriter', () => {
  it.each([
    [1, 64, 96, 50],
    [2, 256, 512, 300],
    [3, 4096, 1024, 5000],
    [4, 1 << 16, 1 << 16, 1 << 16],
  ])('writes the leads file body JavaScript would (case %i: %i-byte output, %i-byte input, reads up to %i bytes)', async (seed, outputBytes, inputBytes, largest) => {
    const { spill, simple, spellings, leadOf, expected } = makeCase(600, seed);
    const writer = new LeadsWriter(simple, spellings, outputBytes, inputBytes);
    const chunks: Buffer[] = [];
    let previous: { view: Buffer; copy: Buffer } | null = null;
    for await (const chunk of writer.leads(pieces(spill, seeded(seed + 100), largest), leadOf)) {
      // A chunk stays as it was until the one after it is asked for (the file write is still reading it).
      if (previous) expect(previous.view.equals(previous.copy)).toBe(true);
      previous = { view: chunk, copy: Buffer.from(chunk) };
      chunks.push(previous.copy);
    }
    expect(Buffer.concat(chunks).toString()).toBe(expected);
    expect(chunks.slice(0, -1).every((chunk) => chunk.length > 0)).toBe(true);
  });

  it('says the spill ended in the middle of a row instead of dropping it', async () => {
    const { spill, simple, spellings, leadOf } = makeCase(20, 5);
    const writer = new LeadsWriter(simple, spellings, 1024, 1024);
    const cut = async function* () {
      yield spill.subarray(0, spill.length - 3);
    };
    const read = async () => {
      for await (const chunk of writer.leads(cut(), leadOf)) void chunk;
    };
    await expect(read()).rejects.toMatchObject({ code: 'INTERNAL' });
  });
});
