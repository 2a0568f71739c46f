/** The building blocks of the report pages (/validate): a titled section, a headline figure, table cell styles. */

export function Section({ title, description, children, testId, id }: { title: string; description?: React.ReactNode; children: React.ReactNode; testId: string; id?: string }) {
  return (
    <section id={id} className="min-w-0 rounded-lg border border-slate-200 bg-white" aria-labelledby={`${testId}-title`} data-testid={testId}>
      <div className="border-b border-slate-100 px-4 py-3">
        <h2 id={`${testId}-title`} className="text-sm font-semibold text-slate-900">
          {title}
        </h2>
        {description && <p className="mt-0.5 text-xs text-slate-500">{description}</p>}
      </div>
      <div className="px-4 py-3">{children}</div>
    </section>
  );
}

export function Stat({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <div className="rounded-lg border border-slate-200 bg-white px-4 py-3" data-testid={testId}>
      <dt className="text-xs font-medium text-slate-500">{label}</dt>
      <dd className="mt-1 text-xl font-semibold tabular-nums tracking-tight">{value}</dd>
      {hint && <dd className="mt-0.5 text-xs text-slate-500">{hint}</dd>}
    </div>
  );
}

/** Header and body cells: the first column is a left-aligned label, the rest right-aligned figures. */
export const th = 'px-3 py-2 text-right text-xs font-semibold text-slate-600 first:pl-0 first:text-left';
export const td = 'whitespace-nowrap px-3 py-2 text-right tabular-nums first:pl-0 first:text-left';

/** A table head of plain column names, styled as `th`. */
export function TableHead({ columns }: { columns: readonly string[] }) {
  return (
    <thead className="border-b border-slate-200">
      <tr>
        {columns.map((c) => (
          <th key={c} scope="col" className={th}>
            {c}
          </th>
        ))}
      </tr>
    </thead>
  );
}

/** A callout: amber for caveats, rose for alarms, emerald for all clear. */
export function Notice({ tone, title, children, testId }: { tone: 'amber' | 'rose' | 'emerald' | 'slate'; title?: string; children: React.ReactNode; testId?: string }) {
  const tones = {
    amber: 'border-amber-200 bg-amber-50 text-amber-900',
    rose: 'border-rose-200 bg-rose-50 text-rose-900',
    emerald: 'border-emerald-200 bg-emerald-50 text-emerald-900',
    slate: 'border-slate-200 bg-slate-50 text-slate-700',
  };
  return (
    <div className={`rounded-md border px-4 py-3 text-sm ${tones[tone]}`} data-testid={testId}>
      {title && <p className="font-medium">{title}</p>}
      <div className={title ? 'mt-1 text-xs' : 'text-xs'}>{children}</div>
    </div>
  );
}
