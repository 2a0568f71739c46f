'use client';

import { useRouter } from 'next/navigation';
import { useTransition } from 'react';

export interface FilterOption {
  label: string;
  /** The table URL with this option applied, built on the server. */
  href: string;
}

/**
 * A filter as a native select: accessible and compact on phones. Each option's URL is computed on the
 * server, so this component only navigates (`push`, so back undoes a filter).
 */
export function FilterSelect({
  id,
  label,
  value,
  options,
  testId,
}: {
  id: string;
  label: string;
  /** The href of the selected option. */
  value: string;
  options: FilterOption[];
  testId?: string;
}) {
  const router = useRouter();
  const [pending, startTransition] = useTransition();
  return (
    <div className="flex min-w-0 flex-col gap-1">
      <label htmlFor={id} className="text-[11px] font-medium uppercase tracking-wide text-slate-500">
        {label}
      </label>
      <select
        id={id}
        value={value}
        data-testid={testId}
        aria-busy={pending}
        onChange={(e) => {
          const href = e.target.value;
          startTransition(() => router.push(href, { scroll: false }));
        }}
        className="h-9 min-w-0 rounded-md sm:max-w-xs border border-slate-300 bg-white px-2 pr-7 text-sm shadow-xs focus:border-indigo-500 focus:outline-none focus:ring-1 focus:ring-indigo-500 disabled:opacity-60"
      >
        {options.map((o) => (
          <option key={o.href + o.label} value={o.href}>
            {o.label}
          </option>
        ))}
      </select>
    </div>
  );
}
