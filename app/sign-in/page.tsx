import type { Metadata } from 'next';
import { redirect } from 'next/navigation';
import { currentViewer } from '@/app/_lib/viewer';
import { SignInForm, type SignInMethod } from '@/components/sign-in-form';
import { SignOutButton } from '@/components/sign-out-button';
import { signInRequired } from '@/lib/auth/access';
import { safeReturnPath } from '@/lib/auth/client-safe';
import { authModeOf, env } from '@/lib/env';

export const metadata: Metadata = { title: 'Sign in' };

/**
 * Why the last attempt failed, from the `?error=` code Better Auth (or requireViewer) sends here. Only
 * known codes get their own words; the code itself is shown for others, never free text from the URL.
 */
const ERRORS: Record<string, string> = {
  not_allowed: 'This account is not on the list of people who may use LeadSignal. Ask your LeadSignal admin to add it.',
  email_not_verified: 'Your identity provider says this email address is not verified, so it cannot be used to sign in.',
  access_denied: 'Sign-in was cancelled at the identity provider.',
  state_mismatch: 'The sign-in took too long or was started in another tab. Try again.',
  please_restart_the_process: 'The sign-in took too long or was started in another tab. Try again.',
};

function describeError(code: string | string[] | undefined): string | null {
  const value = Array.isArray(code) ? code[0] : code;
  if (!value) return null;
  return ERRORS[value] ?? `Sign-in did not complete (${value.replace(/[^a-z0-9_]/gi, '').slice(0, 40) || 'unknown error'}). Try again.`;
}

type Props = { searchParams: Promise<Record<string, string | string[] | undefined>> };

export default async function SignInPage({ searchParams }: Props) {
  const config = env();
  const mode = authModeOf(config);
  if (!signInRequired(mode)) redirect('/');
  const params = await searchParams;
  const next = safeReturnPath(params.next);
  const viewer = await currentViewer();
  if (viewer.kind === 'user') redirect(next);

  const method: SignInMethod = mode === 'oidc' ? { kind: 'oidc', providerName: config.AUTH_OIDC_NAME } : { kind: 'password' };
  const error = viewer.kind === 'refused' ? ERRORS.not_allowed! : describeError(params.error);
  return (
    <div className="mx-auto mt-12 flex max-w-sm flex-col gap-5 rounded-lg border border-slate-200 bg-white p-6" data-testid="sign-in">
      <div>
        <h1 className="text-base font-semibold text-slate-900">Sign in to LeadSignal</h1>
        <p className="mt-1 text-sm text-slate-600">
          {method.kind === 'oidc' ? `Use your ${method.providerName} account.` : 'Use the email and password your LeadSignal admin gave you.'}
        </p>
      </div>
      {error && (
        <p role="alert" className="rounded-md border border-rose-200 bg-rose-50 px-3 py-2 text-sm text-rose-800" data-testid="sign-in-error">
          {error}
        </p>
      )}
      {viewer.kind === 'refused' ? (
        <p className="flex flex-wrap items-center gap-2 text-sm text-slate-600">
          Signed in as {viewer.email}.
          <SignOutButton className="font-medium text-indigo-700 hover:underline" />
        </p>
      ) : (
        <SignInForm method={method} next={next} />
      )}
    </div>
  );
}
