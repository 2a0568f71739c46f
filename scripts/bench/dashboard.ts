import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { generateLeads, serializeLeads } from '../../lib/synthetic';
import { buildNext, hasBuild, startNext, type NextServer } from '../next-server';
import { fmt, percentile, type BenchModule, type BenchRow } from './types';

/**
 * The dashboard under `next start` on 100,000 generated leads (file store, mock enrichment): p95 of
 * full responses (headers and body) over sequential requests per page, after a warm-up, and the gzipped
 * JavaScript the HTML of `/` makes the browser load. Needs a production build; builds one if `.next`
 * has none.
 */

const LEADS = 100_000;
const SAMPLES = 30;
const WARMUP = 5;
const FIRST_LOAD_JS_TARGET_KB = 200;

const log = (line: string) => process.stderr.write(`  [dashboard] ${line}\n`);

async function timedGet(url: string): Promise<{ ms: number; status: number; body: string }> {
  const started = performance.now();
  const response = await fetch(url);
  const body = await response.text();
  return { ms: performance.now() - started, status: response.status, body };
}

/** p95 over `SAMPLES` requests after `WARMUP` unmeasured ones; `paths` are used in turn. */
async function measure(server: NextServer, paths: string[]): Promise<number> {
  const at = (i: number) => `${server.url}${paths[i % paths.length]}`;
  for (let i = 0; i < WARMUP; i++) await timedGet(at(i));
  const samples: number[] = [];
  for (let i = 0; i < SAMPLES; i++) {
    const { ms, status } = await timedGet(at(i));
    if (status !== 200) throw new Error(`GET ${at(i)} answered ${status}`);
    samples.push(ms);
  }
  return percentile([...samples].sort((a, b) => a - b), 95);
}

/** Scripts the page makes the browser load up front: `<script src>` (modern browsers skip `nomodule`) and script preloads. */
function scriptUrls(html: string): string[] {
  const urls = new Set<string>();
  for (const tag of html.match(/<script\b[^>]*>/g) ?? []) {
    const src = /\ssrc="([^"]+)"/.exec(tag)?.[1];
    if (src && !/\snomodule\b/i.test(tag)) urls.add(src);
  }
  for (const tag of html.match(/<link\b[^>]*>/g) ?? []) {
    if (/\sas="script"/.test(tag) || /rel="modulepreload"/.test(tag)) {
      const href = /\shref="([^"]+)"/.exec(tag)?.[1];
      if (href) urls.add(href);
    }
  }
  return [...urls];
}

async function firstLoadJs(server: NextServer): Promise<{ gzipBytes: number; rawBytes: number; files: number }> {
  const { body } = await timedGet(`${server.url}/`);
  const urls = scriptUrls(body);
  let gzipBytes = 0;
  let rawBytes = 0;
  for (const src of urls) {
    const response = await fetch(new URL(src.replace(/&amp;/g, '&'), server.url));
    if (!response.ok) throw new Error(`script ${src} answered ${response.status}`);
    const bytes = Buffer.from(await response.arrayBuffer());
    rawBytes += bytes.length;
    gzipBytes += gzipSync(bytes).length;
  }
  return { gzipBytes, rawBytes, files: urls.length };
}

async function run(): Promise<BenchRow[]> {
  if (!hasBuild()) {
    log('no production build in .next: running next build …');
    await buildNext();
  }
  const dir = await mkdtemp(path.join(tmpdir(), 'leadsignal-bench-dashboard-'));
  let server: NextServer | undefined;
  try {
    log(`generating ${fmt(LEADS)} leads …`);
    const leads = generateLeads({ count: LEADS, seed: 4 });
    const leadsPath = path.join(dir, 'leads.json');
    await writeFile(leadsPath, serializeLeads(leads));
    const sampleIds = Array.from({ length: SAMPLES }, (_, i) => leads[Math.floor(((i + 0.5) * LEADS) / SAMPLES)]!.id);

    server = await startNext({ LEADS_PATH: leadsPath, ENRICHMENTS_PATH: path.join(dir, 'enrichments.json') });
    log(`next start on ${server.url}; first request loads and scores the file …`);
    const cold = await timedGet(`${server.url}/`);
    if (cold.status !== 200) throw new Error(`GET / answered ${cold.status}:\n${server.output().slice(-2_000)}`);

    const filtered = ['/?tier=WARM&tier=HOT&sort=company&q=son', '/?industry=Software&enrichment=none&q=an&page=2', '/?tier=COLD&confidence=high&q=smith'];
    const pages: { metric: string; paths: string[]; targetMs: number }[] = [
      { metric: '`/` first page, sorted by score', paths: ['/'], targetMs: 300 },
      { metric: '`/` filtered + searched + sorted', paths: filtered, targetMs: 300 },
      { metric: '`/leads/[id]`', paths: sampleIds.map((id) => `/leads/${encodeURIComponent(id)}`), targetMs: 100 },
      { metric: '`/validate` (backtest of 100k)', paths: ['/validate'], targetMs: 1000 },
    ];
    const rows: BenchRow[] = [
      { area: 'dashboard', metric: `cold first request to \`/\` (parse + score ${fmt(LEADS)} leads)`, value: `${fmt(cold.ms)} ms`, target: '', pass: null },
    ];
    for (const page of pages) {
      log(`measuring ${page.metric} …`);
      const ms = await measure(server, page.paths);
      rows.push({ area: 'dashboard', metric: `${page.metric}, p95 of ${SAMPLES}, ${fmt(LEADS)} leads`, value: `${fmt(ms, 1)} ms`, target: `< ${fmt(page.targetMs)} ms`, pass: ms < page.targetMs });
    }
    const js = await firstLoadJs(server);
    const kb = js.gzipBytes / 1024;
    rows.push({
      area: 'dashboard',
      metric: `first-load JS of \`/\` (${js.files} scripts, ${fmt(js.rawBytes / 1024)} kB raw), gzip`,
      value: `${fmt(kb, 1)} kB`,
      target: `< ${FIRST_LOAD_JS_TARGET_KB} kB`,
      pass: kb < FIRST_LOAD_JS_TARGET_KB,
    });
    return rows;
  } finally {
    await server?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

export default { area: 'dashboard', run } satisfies BenchModule;
