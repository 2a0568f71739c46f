import { describe, expect, it } from 'vitest';
import { CsvError, lastRecordEnd, malformedCsv, parseBlock, recordValues, sniffDelimiter, splitCsv, validatedUtf8, type CsvReadOptions, type CsvSource } from '@/lib/import/csv';
import { largeExport } from '@/lib/import/dirty-export';

interface CsvRecord {
  line: number;
  fields: string[];
}

/** The records of a source with their physical start lines, header first, as the importer folds its blocks. */
async function* readCsvRecords(source: CsvSource, options: CsvReadOptions = {}): AsyncGenerator<CsvRecord> {
  const { layout, blocks } = await splitCsv(source, options);
  yield { line: 1, fields: layout.header };
  let firstLine = 1 + layout.headerLines;
  for await (const block of blocks) {
    let parsed;
    try {
      parsed = parseBlock(block, layout);
    } catch (error) {
      throw error instanceof CsvError ? malformedCsv(error, firstLine, error) : error;
    }
    for (let i = 0; i < parsed.records.length; i++) yield { line: firstLine + parsed.starts[i]!, fields: recordValues(parsed, i) };
    firstLine += parsed.lines;
  }
}

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

describe('lastRecordEnd', () => {
  const comma = { delimiter: ',', recordDelimiter: '\n' } as const;
  const end = (text: string, layout: Parameters<typeof lastRecordEnd>[1] = comma) => lastRecordEnd(Buffer.from(text), layout);

  it('cuts after the last line break outside quotes', () => {
    expect(end('1,a\n2,b\n3,c')).toBe('1,a\n2,b\n'.length);
    expect(end('1,"a\nb"\n2,"c\nd')).toBe('1,"a\nb"\n'.length);
    expect(end('1,"x ""quoted""\nstill inside"\n2')).toBe('1,"x ""quoted""\nstill inside"\n'.length);
    expect(end('1,"open\n')).toBe(0);
  });

  it('reads a quote inside an unquoted field as text, as csv-parse does', () => {
    expect(end('1,5\'11" tall\n2,b\n3')).toBe('1,5\'11" tall\n2,b\n'.length);
    expect(end('1,"abc"def\n2')).toBe('1,"abc"def\n'.length);
  });

  it('waits for the byte after a quote before deciding it closes the field', () => {
    expect(end('1,b\n2,"x"')).toBe('1,b\n'.length);
  });

  it('only cuts at the file’s record delimiter', () => {
    expect(end('1,a\r\n2,b\nstill 2\r\n3', { delimiter: ',', recordDelimiter: '\r\n' })).toBe('1,a\r\n2,b\nstill 2\r\n'.length);
    expect(end('1,a\r2,b\r3', { delimiter: ',', recordDelimiter: '\r' })).toBe('1,a\r2,b\r'.length);
    expect(end('1;"a;b\n";c\n2', { delimiter: ';', recordDelimiter: '\n' })).toBe('1;"a;b\n";c\n'.length);
  });
});

describe('validatedUtf8', () => {
  it('reads a string as one chunk, not one character at a time (which made a long record cost quadratic time)', async () => {
    const chunks: string[] = [];
    for await (const chunk of validatedUtf8('ID,Notes\n1,"é long"\n')) chunks.push(chunk.toString());
    expect(chunks).toEqual(['ID,Notes\n1,"é long"\n']);
  });
});

describe('splitCsv', () => {
  it('cuts a dirty export into blocks that parse to exactly the records of the whole file', async () => {
    const csv = [...largeExport({ flavor: 'hubspot', rows: 400, seed: 5, bom: true })].join('');
    const whole: CsvRecord[] = [];
    for await (const record of readCsvRecords([bytes(csv)], { blockBytes: 1 << 30 })) whole.push(record);
    const { blocks } = await splitCsv([bytes(csv)], { blockBytes: 2_000 });
    let count = 0;
    for await (const block of blocks) {
      count++;
      expect(block.at(-1)).toBe(10);
    }
    expect(count).toBeGreaterThan(20);
    const cut: CsvRecord[] = [];
    for await (const record of readCsvRecords([bytes(csv)], { blockBytes: 2_000 })) cut.push(record);
    expect(cut).toEqual(whole);
    expect(whole).toHaveLength(401);
  });

  it('gives the same blocks’ records whatever size the reads come in, smaller or larger than a block', async () => {
    const csv = bytes([...largeExport({ flavor: 'salesforce', rows: 400, seed: 6, delimiter: ';' })].join(''));
    const whole: CsvRecord[] = [];
    for await (const record of readCsvRecords([csv], { blockBytes: 1 << 30 })) whole.push(record);
    const sizes = [1, 333, 2_500, 7_001, 40, 1_999, 2_000, 2_001];
    const reads: Uint8Array[] = [];
    for (let at = 0, i = 0; at < csv.length; at += sizes[i++ % sizes.length]!) reads.push(csv.subarray(at, at + sizes[i % sizes.length]!));
    const { blocks } = await splitCsv(reads, { blockBytes: 2_000 });
    const rejoined: Buffer[] = [];
    for await (const block of blocks) rejoined.push(Buffer.from(block));
    expect(Buffer.concat(rejoined).toString()).toBe(Buffer.from(csv).toString().slice(Buffer.from(csv).toString().indexOf('\n') + 1));
    const cut: CsvRecord[] = [];
    for await (const record of readCsvRecords(reads, { blockBytes: 2_000 })) cut.push(record);
    expect(cut).toEqual(whole);
  });

  it('reads the record delimiter from the header line and counts lines from after it', async () => {
    const { layout, blocks } = await splitCsv('"a\nb",c\r\n1,2\r\n');
    expect(layout).toEqual({ delimiter: ',', recordDelimiter: '\r\n', header: ['a\nb', 'c'], headerLines: 2 });
    const got: CsvRecord[] = [];
    for await (const record of readCsvRecords('"a\nb",c\r\n1,2\r\n')) got.push(record);
    expect(got[1]).toEqual({ line: 3, fields: ['1', '2'] });
    let rest = '';
    for await (const block of blocks) rest += block.toString();
    expect(rest).toBe('1,2\r\n');
  });

  it('refuses an empty file', async () => {
    await expect(splitCsv('')).rejects.toThrow(/empty: expected a header line/);
  });
});
