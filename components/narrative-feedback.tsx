'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { FeedbackTally, FeedbackVerdict } from '@/lib/enrichment/feedback';
import { useHydrated } from './use-hydrated';

const MAX_REASON = 500;

type State = { kind: 'idle' } | { kind: 'saving' } | { kind: 'saved' } | { kind: 'error'; code: string; message: string };

const VERDICT_LABEL: Record<FeedbackVerdict, string> = { helpful: 'Helpful', wrong: 'Wrong' };

/**
 * "Was this note right?": an SDR marks the narrative helpful or wrong, optionally with a reason. Saved by
 * POST /api/feedback for the narrative on screen (`enrichedAt`); it never changes the score. A verdict is
 * saved on the first click. The reason goes with it while the reason box is open (type, then click), or is
 * added afterwards with "Save reason"; a verdict given with the box closed has no reason, so a reason
 * written for "wrong" never stays on a later "helpful".
 */
export function NarrativeFeedback({ leadId, enrichedAt, tally }: { leadId: string; enrichedAt: string; tally: FeedbackTally }) {
  const router = useRouter();
  const [state, setState] = useState<State>({ kind: 'idle' });
  const [reason, setReason] = useState(tally.mine?.reason ?? '');
  const [showReason, setShowReason] = useState(false);
  const [refreshing, startRefresh] = useTransition();
  const busy = state.kind === 'saving' || refreshing;
  const hydrated = useHydrated();
  const mine = tally.mine?.verdict ?? null;

  async function send(verdict: FeedbackVerdict, withReason: boolean) {
    const sent = withReason ? reason.trim() || null : null;
    setState({ kind: 'saving' });
    try {
      const response = await fetch('/api/feedback', {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ leadId, enrichedAt, verdict, reason: sent }),
      });
      if (!response.ok) {
        const body = (await response.json().catch(() => null)) as { error?: { code?: unknown; message?: unknown } } | null;
        setState({
          kind: 'error',
          code: typeof body?.error?.code === 'string' ? body.error.code : `HTTP_${response.status}`,
          message: typeof body?.error?.message === 'string' ? body.error.message : `The server answered ${response.status}.`,
        });
        return;
      }
      setState({ kind: 'saved' });
      if (!withReason) setReason('');
      startRefresh(() => router.refresh());
    } catch {
      setState({ kind: 'error', code: 'NETWORK', message: 'Could not reach the server. Check your connection and try again.' });
    }
  }

  const counts = `${tally.helpful} helpful · ${tally.wrong} wrong`;
  return (
    <div className="flex flex-col gap-2 border-t border-slate-100 pt-3" data-testid="feedback" data-mine={mine ?? 'none'}>
      <div className="flex flex-wrap items-center gap-x-3 gap-y-2">
        <span id={`feedback-label-${leadId}`} className="text-xs font-medium text-slate-600">
          Was this note right?
        </span>
        <div role="group" aria-labelledby={`feedback-label-${leadId}`} className="inline-flex gap-2">
          {(['helpful', 'wrong'] as const).map((verdict) => (
            <button
              key={verdict}
              type="button"
              onClick={() => send(verdict, showReason)}
              disabled={!hydrated || busy}
              aria-pressed={mine === verdict}
              data-testid={`feedback-${verdict}`}
              className={`inline-flex h-7 items-center rounded-md border px-2.5 text-xs font-medium shadow-xs disabled:cursor-not-allowed disabled:opacity-60 ${
                mine === verdict
                  ? verdict === 'helpful'
                    ? 'border-emerald-600 bg-emerald-50 text-emerald-800'
                    : 'border-rose-600 bg-rose-50 text-rose-800'
                  : 'border-slate-300 bg-white text-slate-700 hover:bg-slate-50'
              }`}
            >
              <span aria-hidden="true" className="mr-1">
                {verdict === 'helpful' ? '✓' : '✗'}
              </span>
              {VERDICT_LABEL[verdict]}
            </button>
          ))}
        </div>
        <button type="button" onClick={() => setShowReason((s) => !s)} disabled={!hydrated} aria-expanded={showReason} className="text-xs text-indigo-700 hover:underline" data-testid="feedback-reason-toggle">
          {showReason ? 'Hide reason' : tally.mine?.reason ? 'Edit reason' : 'Add a reason'}
        </button>
        <span className="text-xs text-slate-500" data-testid="feedback-counts">
          {counts}
          {tally.earlier > 0 && ` · ${tally.earlier} on earlier notes`}
        </span>
      </div>
      {showReason && (
        <div className="flex flex-col gap-1.5">
          <label htmlFor={`feedback-reason-${leadId}`} className="text-xs text-slate-600">
            Reason (optional, sent with your verdict; {MAX_REASON} characters at most)
          </label>
          <textarea
            id={`feedback-reason-${leadId}`}
            value={reason}
            maxLength={MAX_REASON}
            rows={2}
            onChange={(e) => setReason(e.target.value)}
            data-testid="feedback-reason"
            className="w-full max-w-xl rounded-md border border-slate-300 px-2 py-1 text-sm focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
            placeholder="What was wrong, or what made it useful?"
          />
          {mine && (
            <button
              type="button"
              onClick={() => send(mine, true)}
              disabled={busy}
              data-testid="feedback-save-reason"
              className="inline-flex h-7 w-fit items-center rounded-md border border-slate-300 bg-white px-2.5 text-xs font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60"
            >
              Save reason
            </button>
          )}
        </div>
      )}
      <p role="status" aria-live="polite" className="text-xs" data-testid="feedback-status" data-state={state.kind}>
        {state.kind === 'saving' ? (
          <span className="text-slate-500">Saving…</span>
        ) : state.kind === 'saved' ? (
          <span className="text-emerald-700">Thanks: saved. It does not change the score.</span>
        ) : state.kind === 'error' ? (
          <span className="text-rose-700" data-error-code={state.code}>
            {state.message}
          </span>
        ) : mine ? (
          <span className="text-slate-500">You said {VERDICT_LABEL[mine].toLowerCase()}{tally.mine?.reason ? `: “${tally.mine.reason}”` : '.'}</span>
        ) : null}
      </p>
    </div>
  );
}
