import 'server-only';
import { connection } from 'next/server';
import { currentViewer } from '@/app/_lib/viewer';
import { SignOutButton } from './sign-out-button';

/** The header's statement of who is using the dashboard: the signed-in email with Sign out, or open access. */
export async function ViewerStatus() {
  // Outside any try: while prerendering, connection() throws Next's own signal.
  await connection();
  const viewer = await currentViewer();
  if (viewer.kind === 'open') {
    return (
      <p
        data-testid="access"
        data-mode={viewer.mode}
        title={viewer.mode === 'local' ? 'No sign-in: the server only listens on 127.0.0.1.' : 'No sign-in, and the server listens beyond this machine (AUTH_MODE=none).'}
        className="flex items-center gap-1.5 rounded-full border border-amber-200 bg-amber-50 px-3 py-1 text-xs text-amber-900"
      >
        <svg aria-hidden="true" viewBox="0 0 24 24" className="size-3.5" fill="none" stroke="currentColor" strokeWidth="2" strokeLinecap="round">
          <rect x="5" y="11" width="14" height="9" rx="2" />
          <path d="M8 11V7a4 4 0 0 1 7.5-2" />
        </svg>
        {viewer.mode === 'local' ? 'open access, this machine only' : 'open access, no sign-in (AUTH_MODE=none)'}
      </p>
    );
  }
  if (viewer.kind !== 'user') return null;
  return (
    <div data-testid="viewer" className="flex min-w-0 items-center gap-2 text-xs text-slate-600">
      <span className="truncate" data-testid="viewer-email" title={viewer.name && viewer.name !== viewer.email ? viewer.name : undefined}>
        {viewer.email}
      </span>
      <SignOutButton className="shrink-0 rounded-md border border-slate-300 bg-white px-2 py-1 font-medium text-slate-700 hover:bg-slate-50 disabled:opacity-60" />
    </div>
  );
}
