'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, useTransition } from 'react';

const DEBOUNCE_MS = 300;

/**
 * Search by name, company or email. Typing updates the URL after a pause; the server re-renders the
 * table. The first update of a typing burst is a new history entry (so back returns to the results
 * before the search), later ones replace it (so back does not replay every keystroke). `baseQuery` is
 * the current URL state without `q` and `page`: a new search starts on page 1 with the filters kept.
 */
export function SearchBox({ value, baseQuery }: { value: string; baseQuery: string }) {
  const router = useRouter();
  const [text, setText] = useState(value);
  const [pending, startTransition] = useTransition();
  const lastSent = useRef(value);
  const timer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const inBurst = useRef(false);

  // Back/forward or a link changed `q`: show it, unless it is the value this box just sent.
  useEffect(() => {
    if (value !== lastSent.current) {
      lastSent.current = value;
      inBurst.current = false;
      setText(value);
    }
  }, [value]);

  useEffect(() => () => clearTimeout(timer.current), []);

  function navigate(next: string) {
    const q = next.trim();
    if (q === lastSent.current) return;
    lastSent.current = q;
    const params = new URLSearchParams(baseQuery);
    if (q) params.set('q', q);
    const href = params.toString() ? `/?${params}` : '/';
    const replace = inBurst.current;
    inBurst.current = true;
    startTransition(() => (replace ? router.replace(href, { scroll: false }) : router.push(href, { scroll: false })));
  }

  function onChange(next: string) {
    setText(next);
    clearTimeout(timer.current);
    timer.current = setTimeout(() => navigate(next), DEBOUNCE_MS);
  }

  return (
    <form
      role="search"
      className="relative w-full sm:w-96"
      onSubmit={(e) => {
        e.preventDefault();
        clearTimeout(timer.current);
        navigate(text);
      }}
    >
      <label htmlFor="lead-search" className="sr-only">
        Search leads by name, company, email, id or attribute
      </label>
      <svg aria-hidden="true" viewBox="0 0 20 20" fill="currentColor" className="pointer-events-none absolute left-2.5 top-1/2 size-4 -translate-y-1/2 text-slate-400">
        <path fillRule="evenodd" d="M9 3.5a5.5 5.5 0 1 0 3.47 9.77l3.63 3.63a.75.75 0 1 0 1.06-1.06l-3.63-3.63A5.5 5.5 0 0 0 9 3.5ZM5 9a4 4 0 1 1 8 0 4 4 0 0 1-8 0Z" clipRule="evenodd" />
      </svg>
      <input
        id="lead-search"
        type="search"
        value={text}
        onChange={(e) => onChange(e.target.value)}
        onBlur={() => (inBurst.current = false)}
        placeholder="Name, company, email, id or attribute"
        autoComplete="off"
        spellCheck={false}
        maxLength={200}
        data-testid="lead-search"
        className="h-9 w-full rounded-md border border-slate-300 bg-white pl-8 pr-8 text-sm shadow-xs placeholder:text-slate-400 focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500"
      />
      {pending && (
        <span role="status" aria-label="Searching" className="absolute right-2.5 top-1/2 size-3.5 -translate-y-1/2 animate-spin rounded-full border-2 border-slate-300 border-t-indigo-600" />
      )}
    </form>
  );
}
