'use client';

import { useRouter } from 'next/navigation';
import { useId, useState, useTransition } from 'react';
import { useHydrated } from './use-hydrated';

/** What the server says about live enrichment; plain values only (no keys reach the browser). */
export interface ReEnrichAvailability {
  enabled: boolean;
  mode: 'claude' | 'mock';
  disabledReason: string | null;
}

interface Written {
  source: 'claude' | 'mock';
  model: string;
  confidence: string;
  fit_narrative: string;
  recommended_action: string;
}

type State =
  | { kind: 'idle' }
  | { kind: 'running' }
  | { kind: 'done'; enrichment: Written }
  /** Written (and paid for) but the store could not save it: shown here, since the page cannot show it. */
  | { kind: 'unsaved'; enrichment: Written; reason: string }
  | { kind: 'error'; code: string; message: string };

function formatWait(seconds: number): string {
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest ? `${hours} h ${rest} min` : `${hours} h`;
}

async function describeFailure(response: Response): Promise<{ code: string; message: string }> {
  const body = (await response.json().catch(() => null)) as { error?: { code?: unknown; message?: unknown } } | null;
  const code = typeof body?.error?.code === 'string' ? body.error.code : `HTTP_${response.status}`;
  const message = typeof body?.error?.message === 'string' ? body.error.message : `The server answered ${response.status}.`;
  const wait = Number(response.headers.get('Retry-After'));
  const known = Number.isFinite(wait) && wait > 0;
  if (code === 'RATE_LIMITED') return { code, message: known ? `Rate limit reached. Try again in ${formatWait(wait)}.` : message };
  if (code === 'DAILY_BUDGET_EXHAUSTED') return { code, message: known ? `${message} (in ${formatWait(wait)})` : message };
  return { code, message };
}

/**
 * Asks `/api/enrich` for a fresh narrative for one lead, then refreshes the server-rendered page so
 * the new narrative shows in place. Every failure is shown with its reason.
 */
export function ReEnrichButton({ leadId, availability }: { leadId: string; availability: ReEnrichAvailability }) {
  const router = useRouter();
  // Not built from the lead id: an id with a space would make aria-describedby name two elements.
  const statusId = useId();
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [refreshing, startRefresh] = useTransition();
  const busy = state.kind === 'running' || refreshing;
  const hydrated = useHydrated();

  async function run() {
    setState({ kind: 'running' });
    try {
      const response = await fetch('/api/enrich', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ leadId }),
      });
      if (!response.ok) {
        setState({ kind: 'error', ...(await describeFailure(response)) });
        return;
      }
      const body = (await response.json()) as { enrichment: Written; saved: boolean; notSavedReason?: string };
      if (!body.saved) {
        setState({ kind: 'unsaved', enrichment: body.enrichment, reason: body.notSavedReason ?? 'The server could not save it.' });
        return;
      }
      setState({ kind: 'done', enrichment: body.enrichment });
      startRefresh(() => router.refresh());
    } catch {
      setState({ kind: 'error', code: 'NETWORK', message: 'Could not reach the server. Check your connection and try again.' });
    }
  }

  const label = availability.mode === 'mock' ? 'Re-enrich (mock)' : 'Re-enrich with Claude';
  const author = (e: Written) =>
    e.source === 'mock' ? <strong className="font-semibold text-yellow-800">MOCK — not written by Claude</strong> : <>written by Claude ({e.model})</>;
  return (
    <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
      <button
        type="button"
        onClick={run}
        disabled={!hydrated || !availability.enabled || busy}
        aria-busy={busy}
        aria-describedby={statusId}
        data-testid="re-enrich"
        className="inline-flex h-8 items-center gap-2 rounded-md border border-slate-300 bg-white px-3 text-sm font-medium text-slate-800 shadow-xs hover:bg-slate-50 disabled:cursor-not-allowed disabled:opacity-60"
      >
        {busy && <span aria-hidden="true" className="size-3.5 animate-spin rounded-full border-2 border-slate-300 border-t-indigo-600" />}
        {state.kind === 'running' ? 'Enriching…' : refreshing ? 'Updating…' : label}
      </button>
      <p id={statusId} role="status" aria-live="polite" data-testid="re-enrich-status" data-state={availability.enabled ? state.kind : 'disabled'} className="text-xs">
        {!availability.enabled ? (
          <span className="text-slate-600">{availability.disabledReason}</span>
        ) : state.kind === 'running' ? (
          <span className="text-slate-500">{availability.mode === 'mock' ? 'Writing a mock narrative…' : 'Asking Claude…'}</span>
        ) : state.kind === 'done' ? (
          <span className="text-emerald-700">
            Updated: {author(state.enrichment)}, {state.enrichment.confidence} confidence.
          </span>
        ) : state.kind === 'unsaved' ? (
          <span className="flex flex-col gap-1 rounded-md border border-amber-300 bg-amber-50 px-3 py-2 text-amber-900" data-testid="re-enrich-unsaved">
            <span>
              <strong className="font-semibold">Not saved:</strong> {state.reason} This narrative ({author(state.enrichment)}, {state.enrichment.confidence} confidence) is shown
              only here; copy it now or re-enrich later.
            </span>
            <span className="text-sm text-slate-800">{state.enrichment.fit_narrative}</span>
            <span className="text-sm text-slate-800">Next step: {state.enrichment.recommended_action}</span>
          </span>
        ) : state.kind === 'error' ? (
          <span className="text-rose-700" data-error-code={state.code}>
            {state.message}
          </span>
        ) : availability.mode === 'mock' ? (
          <span className="text-slate-500">No API key on the server: re-enrichment writes a labelled mock.</span>
        ) : null}
      </p>
    </div>
  );
}
