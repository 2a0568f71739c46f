import 'server-only';
import { connection } from 'next/server';
import { loadStore, liveEnrichInfo } from '@/app/_lib/page-data';
import { currentViewer } from '@/app/_lib/viewer';
import { formatInt } from './format';

const STORE_LABEL = { file: 'File store', postgres: 'Postgres', supabase: 'Supabase' } as const;

/**
 * The shell's honest statement of where the numbers come from: which store, how many leads, and
 * whether narratives are Claude's or mock. A failing store is shown here too, not hidden.
 */
export async function DataSource() {
  // Outside the try: while prerendering, connection() throws Next's own signal, which must not be caught.
  await connection();
  // Signed out (the sign-in page): the header says nothing about the data.
  const viewer = await currentViewer();
  if (viewer.kind !== 'open' && viewer.kind !== 'user') return null;
  let text: string;
  let detail: string;
  let tone: 'ok' | 'mock' | 'error';
  try {
    const store = await loadStore();
    const summary = await store.summary();
    const live = liveEnrichInfo();
    const enrichment = live.mode === 'claude' ? `Claude enrichment (${live.model})` : 'mock enrichment (no API key)';
    text = `${STORE_LABEL[store.kind]} · ${formatInt(summary.total)} leads · ${enrichment}`;
    detail = `${formatInt(summary.enriched)} leads have a current narrative (${formatInt(summary.mock)} of them mock), ${formatInt(summary.stale)} stale. Rules ${summary.rulesVersion}.${live.enabled ? '' : ' Live re-enrichment is off.'}`;
    tone = live.mode === 'mock' || summary.mock > 0 ? 'mock' : 'ok';
  } catch (error) {
    console.error('[data-source] store unavailable', error);
    text = 'Data store unavailable';
    detail = 'The lead store could not be read; see the server log.';
    tone = 'error';
  }
  const dot = tone === 'ok' ? 'bg-emerald-500' : tone === 'mock' ? 'bg-yellow-500' : 'bg-rose-500';
  return (
    <p
      data-testid="data-source"
      title={detail}
      className="flex min-w-0 items-center gap-2 truncate rounded-full border border-slate-200 bg-white px-3 py-1 text-xs text-slate-600"
    >
      <span aria-hidden="true" className={`size-2 shrink-0 rounded-full ${dot}`} />
      <span className="truncate">{text}</span>
      <span className="sr-only">. {detail}</span>
    </p>
  );
}
