import { promises as fs } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { inlineRunner, processInOrder, workerRunner, type BlockRunner } from '@/lib/import/block-pool';
import { splitCsv, type CsvLayout } from '@/lib/import/csv';
import { largeExport } from '@/lib/import/dirty-export';
import { importCsv } from '@/lib/import/import-csv';
import { loadMapping, parseMapping } from '@/lib/import/mapping';
import { planRows, type BlockResult } from '@/lib/import/rows';
import { LEAD_FIELDS } from '@/lib/lead';

const EXAMPLES = path.join(__dirname, '../../examples');

async function* fromArray(blocks: (string | Buffer)[]): AsyncGenerator<Buffer> {
  for (const block of blocks) yield Buffer.from(block);
}

async function collect(results: AsyncIterable<BlockResult>): Promise<BlockResult[]> {
  const out: BlockResult[] = [];
  for await (const result of results) out.push(result);
  return out;
}

describe('processInOrder', () => {
  const mapping = parseMapping({ fields: { id: 'ID', company_description: 'Notes' } });
  const csv = 'ID,Notes\n1,"first\nsecond"\n2,plain\n3,"x\ny"\n';

  it('joins a block cut inside a quoted field with the next one and processes them again', async () => {
    const { layout } = await splitCsv(csv);
    const plan = planRows(mapping, layout, LEAD_FIELDS);
    const rightCuts = await collect(processInOrder(fromArray(['1,"first\nsecond"\n', '2,plain\n3,"x\ny"\n']), inlineRunner(plan), 2));
    const wrongCut = await collect(processInOrder(fromArray(['1,"first\n', 'second"\n2,plain\n', '3,"x\ny"\n']), inlineRunner(plan), 2));
    const rows = (results: BlockResult[]) => results.map((r) => Buffer.from(r.spill).toString()).join('');
    expect(wrongCut.every((r) => r.error === undefined)).toBe(true);
    expect(rows(wrongCut)).toBe(rows(rightCuts));
    expect(rows(wrongCut).split('\n')).toHaveLength(4);
    expect(wrongCut.reduce((n, r) => n + r.lines, 0)).toBe(5);
  });

  it('reports a quote still open at the end of the file', async () => {
    const { layout } = await splitCsv(csv);
    const results = await collect(processInOrder(fromArray(['1,ok\n', '2,"never closed\n3,x\n']), inlineRunner(planRows(mapping, layout, LEAD_FIELDS)), 2));
    expect(results.at(-1)!.error).toMatchObject({ code: 'CSV_QUOTE_NOT_CLOSED' });
  });
});

describe('workerRunner', () => {
  const mapping = parseMapping({ fields: { email: 'Email' } });
  const layout: CsvLayout = { delimiter: ',', recordDelimiter: '\n', header: ['Email'], headerLines: 1 };

  it('hands blocks to its workers once they are ready, with the results this thread would get', async () => {
    const csv = [...largeExport({ flavor: 'hubspot', rows: 1_500, seed: 4, duplicateRate: 0.2 })].join('');
    const exampleMapping = await loadMapping(path.join(EXAMPLES, 'mapping.example.json'));
    const split = await splitCsv(csv, { blockBytes: 8_192 });
    const blocks: Buffer[] = [];
    for await (const block of split.blocks) blocks.push(Buffer.from(block));
    const plan = planRows(exampleMapping, split.layout, LEAD_FIELDS);
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'block-pool-'));
    const runner = workerRunner(2, plan, exampleMapping, dir);
    let offered = 0;
    const counted: BlockRunner = {
      ...runner,
      offer: (bytes) => {
        const result = runner.offer(bytes);
        if (result) offered++;
        return result;
      },
    };
    try {
      await runner.ready;
      const parallel = await collect(processInOrder(fromArray(blocks), counted, 8));
      const inline = await collect(processInOrder(fromArray(blocks), inlineRunner(plan), 8));
      expect(offered).toBeGreaterThan(0);
      const withoutHeap = (results: BlockResult[]) => results.map((result) => ({ ...result, heapUsed: 0 }));
      expect(withoutHeap(parallel)).toEqual(withoutHeap(inline));
      expect(inline.reduce((n, result) => n + result.rowsRead, 0)).toBe(1_500);
    } finally {
      await runner.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  }, 30_000);

  it('fails with the cause when a worker cannot start, instead of waiting forever', async () => {
    const dir = await fs.mkdtemp(path.join(os.tmpdir(), 'block-pool-'));
    const plan = planRows(mapping, layout, LEAD_FIELDS);
    // A worker builds its own plan from the layout; a header without the mapping's columns makes it throw there.
    const runner = workerRunner(1, { ...plan, layout: { ...layout, header: ['unrelated'] } }, mapping, dir);
    try {
      await expect(runner.ready).rejects.toThrow(/None of the columns the mapping/);
      await expect(runner.offer(Buffer.from('a@x.io\n'))).rejects.toThrow(/None of the columns the mapping/);
    } finally {
      await runner.close();
      await fs.rm(dir, { recursive: true, force: true });
    }
  });
});

describe('importing with worker threads (the main thread may take any block)', () => {
  it.each([
    ['hubspot', ','],
    ['salesforce', ';'],
  ] as const)('gives exactly the leads, rejects and report of a one-thread import (%s export, many small blocks)', async (flavor, delimiter) => {
    const csv = [...largeExport({ flavor, rows: 2_000, seed: 9, duplicateRate: 0.2, delimiter, bom: true })].join('');
    const nl = csv.includes('\r\n') ? '\r\n' : '\n';
    const broken = `${csv}"unterminated${delimiter}x${nl}`;
    const mapping = flavor === 'hubspot' ? await loadMapping(path.join(EXAMPLES, 'mapping.example.json')) : await loadMapping('salesforce');
    const inline = await importCsv(csv, { mapping });
    const parallel = await importCsv(csv, { mapping, workers: 2, blockBytes: 8_192 });
    expect(parallel.report).toEqual(inline.report);
    expect(parallel.rejects).toEqual(inline.rejects);
    expect(JSON.stringify(parallel.leads)).toBe(JSON.stringify(inline.leads));
    expect(inline.report.merged).toBeGreaterThan(200);
    // "near": csv-parse counts a CRLF inside quotes as two lines, so its line can run slightly ahead.
    const lastLine = csv.split('\n').length;
    const error = await importCsv(broken, { mapping, workers: 2, blockBytes: 8_192 }).catch((e: unknown) => e as Error);
    const near = Number(/malformed near line (\d+):/.exec(String(error))?.[1]);
    expect(near).toBeGreaterThanOrEqual(lastLine);
    expect(near).toBeLessThanOrEqual(lastLine + 2);
  }, 60_000);
});
