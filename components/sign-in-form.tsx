'use client';

import { useState } from 'react';
import { MAX_PASSWORD_LENGTH, OIDC_PROVIDER_ID, SIGN_IN_PATH } from '@/lib/auth/client-safe';
import { authClient } from './auth-client';
import { useHydrated } from './use-hydrated';

/** What Better Auth answers a failed email sign-in with, in words a person can act on. */
function describeFailure(error: { status: number; code?: string; message?: string }): string {
  if (error.status === 429) return 'Too many sign-in attempts. Wait a few seconds and try again.';
  if (error.code === 'NOT_ALLOWED') return 'This account is not on the list of people who may use LeadSignal.';
  if (error.status === 401 || error.code === 'INVALID_EMAIL_OR_PASSWORD') return 'Wrong email or password.';
  return error.message ? `Sign-in failed: ${error.message}` : `Sign-in failed (HTTP ${error.status}).`;
}

export type SignInMethod = { kind: 'oidc'; providerName: string } | { kind: 'password' };

/**
 * The sign-in controls: one button for the company's identity provider (it redirects there and back), or
 * an email + password form. Errors are shown in the status line next to them.
 */
export function SignInForm({ method, next }: { method: SignInMethod; next: string }) {
  const [busy, setBusy] = useState(false);
  const [failure, setFailure] = useState<string | null>(null);
  const hydrated = useHydrated();

  async function signInWithProvider() {
    setBusy(true);
    setFailure(null);
    // On success the client follows the provider's redirect; a refusal comes back to this page with ?error=.
    const result = await authClient.signIn.social({
      provider: OIDC_PROVIDER_ID,
      callbackURL: next,
      errorCallbackURL: `${SIGN_IN_PATH}?next=${encodeURIComponent(next)}`,
    });
    if (result.error) {
      setFailure(describeFailure(result.error));
      setBusy(false);
    }
  }

  async function signInWithPassword(form: FormData) {
    setBusy(true);
    setFailure(null);
    const result = await authClient.signIn.email({ email: String(form.get('email') ?? ''), password: String(form.get('password') ?? '') });
    if (result.error) {
      setFailure(describeFailure(result.error));
      setBusy(false);
      return;
    }
    // A full navigation: every server component renders again with the new session.
    window.location.assign(next);
  }

  const button =
    'inline-flex h-9 w-full items-center justify-center gap-2 rounded-md bg-slate-900 px-4 text-sm font-medium text-white hover:bg-slate-700 disabled:cursor-not-allowed disabled:opacity-60';
  const input = 'h-9 w-full rounded-md border border-slate-300 bg-white px-3 text-sm text-slate-900 shadow-xs focus:border-indigo-500 focus:outline-none focus:ring-2 focus:ring-indigo-500/20';

  return (
    <div className="flex flex-col gap-4">
      {method.kind === 'oidc' ? (
        <button type="button" className={button} onClick={signInWithProvider} disabled={!hydrated || busy} data-testid="sign-in-oidc">
          {busy && <span aria-hidden="true" className="size-3.5 animate-spin rounded-full border-2 border-white/40 border-t-white" />}
          Sign in with {method.providerName}
        </button>
      ) : (
        <form
          className="flex flex-col gap-3"
          onSubmit={(event) => {
            event.preventDefault();
            void signInWithPassword(new FormData(event.currentTarget));
          }}
        >
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
            Email
            <input name="email" type="email" autoComplete="username" required className={input} />
          </label>
          <label className="flex flex-col gap-1 text-sm font-medium text-slate-700">
            Password
            <input name="password" type="password" autoComplete="current-password" required maxLength={MAX_PASSWORD_LENGTH} className={input} />
          </label>
          <button type="submit" className={button} disabled={!hydrated || busy} data-testid="sign-in-password">
            {busy && <span aria-hidden="true" className="size-3.5 animate-spin rounded-full border-2 border-white/40 border-t-white" />}
            Sign in
          </button>
        </form>
      )}
      <p role="status" aria-live="polite" className="min-h-5 text-sm text-rose-700" data-testid="sign-in-status">
        {failure}
      </p>
    </div>
  );
}
