'use client';

import { useState } from 'react';
import { SIGN_IN_PATH } from '@/lib/auth/client-safe';
import { authClient } from './auth-client';
import { useHydrated } from './use-hydrated';

/** Ends this browser's session, then goes to the sign-in page (a full load: nothing signed-in stays on screen). */
export function SignOutButton({ className }: { className?: string }) {
  const [state, setState] = useState<'idle' | 'busy' | 'failed'>('idle');
  const hydrated = useHydrated();
  return (
    <button
      type="button"
      disabled={!hydrated || state === 'busy'}
      className={className}
      data-testid="sign-out"
      onClick={async () => {
        setState('busy');
        const { error } = await authClient.signOut().catch(() => ({ error: true }));
        if (error) setState('failed');
        else window.location.assign(SIGN_IN_PATH);
      }}
    >
      {state === 'busy' ? 'Signing out…' : state === 'failed' ? 'Sign-out failed: retry' : 'Sign out'}
    </button>
  );
}
