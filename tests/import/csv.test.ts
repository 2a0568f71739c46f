import { describe, expect, it } from 'vitest';
import { readCsvRecords, sniffDelimiter, type CsvRecord, type CsvSource } from '@/lib/import/csv';

async function records(source: CsvSource, delimiter?: ',' | ';'): Promise<CsvRecord[]> {
  const out: CsvRecord[] = [];
  for await (const record of readCsvRecords(source, { delimiter })) out.push(record);
  return out;
}

const bytes = (text: string) => new TextEncoder().encode(text);

describe('readCsvRecords', () => {
  it('handles a BOM, CRLF, quoted delimiters and quoted line breaks, with physical start lines', async () => {
    const text = '\uFEFFid,desc,n\r\n1,"a, b",2\r\n2,"line one\r\nline two\r\n\r\nline four",3\r\n\r\n3,"say ""hi""",4\r\n';
    expect(await records([bytes(text)])).toEqual([
      { line: 1, fields: ['id', 'desc', 'n'] },
      { line: 2, fields: ['1', 'a, b', '2'] },
      { line: 3, fields: ['2', 'line one\r\nline two\r\n\r\nline four', '3'] },
      { line: 8, fields: ['3', 'say "hi"', '4'] },
    ]);
  });

  it('sniffs ";" from the header even when data rows are full of commas', async () => {
    const got = await records('Name;Revenue;Note\nAcme;5,000,000;"big, old"\n');
    expect(got[1]!.fields).toEqual(['Acme', '5,000,000', 'big, old']);
    expect(sniffDelimiter('"a,b";c;d')).toBe(';');
    expect(sniffDelimiter('a\tb\tc')).toBe('\t');
    expect(sniffDelimiter('single')).toBe(',');
  });

  it('uses a given delimiter instead of sniffing', async () => {
    expect((await records('a,b;c\n1,2;3\n', ';'))[1]!.fields).toEqual(['1,2', '3']);
  });

  it('reassembles multi-byte characters split across chunks', async () => {
    const all = bytes('name,city\nJürgen,Zürich\n');
    const split = all.indexOf(0xc3) + 1; // inside the two-byte "ü"
    const got = await records([all.subarray(0, split), all.subarray(split)]);
    expect(got[1]!.fields).toEqual(['Jürgen', 'Zürich']);
  });

  it('keeps rows with the wrong number of fields for the importer to report', async () => {
    const got = await records('a,b,c\n1,2\n1,2,3,4\n');
    expect(got.map((r) => r.fields.length)).toEqual([3, 2, 4]);
  });

  it('refuses UTF-16 with a message saying how to re-save', async () => {
    const utf16 = new Uint8Array([0xff, 0xfe, 0x61, 0x00, 0x2c, 0x00, 0x62, 0x00]);
    await expect(records([utf16])).rejects.toThrow(/UTF-16.*re-save it as UTF-8/);
  });

  it('refuses Windows-1252 bytes, naming the byte and line', async () => {
    const latin1 = new Uint8Array([...bytes('name\nok\nM'), 0xfc, ...bytes('ller\n')]); // "Müller" in Latin-1
    await expect(records([latin1])).rejects.toThrow(/not valid UTF-8 \(byte 10, on line 3.*re-save it as UTF-8/);
  });

  it('stops on a quote that never closes, naming where', async () => {
    await expect(records('a,b\n1,"open\n2,3\n')).rejects.toThrow(/malformed near line \d+.*nothing was imported/);
  });
});
