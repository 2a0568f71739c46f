'use client';

import { useEffect } from 'react';

/**
 * Shown when a page fails to load its data. Server errors reach the browser without their message
 * (Next.js replaces it with a digest in production), so this shows a fixed, safe text plus the digest
 * that matches the server log.
 */
export default function ErrorPage({ error, retry }: { error: unknown; retry: () => void }) {
  const digest = error instanceof Error && 'digest' in error && typeof error.digest === 'string' ? error.digest : null;
  useEffect(() => {
    console.error(error);
  }, [error]);
  return (
    <div role="alert" className="mx-auto mt-12 max-w-md rounded-lg border border-rose-200 bg-white p-6 text-center" data-testid="error-page">
      <h1 className="text-base font-semibold text-slate-900">This page could not be loaded</h1>
      <p className="mt-2 text-sm text-slate-600">The lead data could not be read. It may be a temporary problem with the data store.</p>
      {digest && <p className="mt-2 font-mono text-xs text-slate-400">Reference: {digest}</p>}
      <button
        type="button"
        onClick={() => retry()}
        className="mt-4 inline-flex h-9 items-center rounded-md bg-slate-900 px-4 text-sm font-medium text-white hover:bg-slate-700"
      >
        Try again
      </button>
    </div>
  );
}
