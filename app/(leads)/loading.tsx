export default function Loading() {
  return (
    <div role="status" aria-label="Loading" className="flex animate-pulse flex-col gap-5">
      <div className="h-7 w-40 rounded bg-slate-200" />
      <div className="grid grid-cols-2 gap-3 sm:grid-cols-3 lg:grid-cols-6">
        {Array.from({ length: 6 }, (_, i) => (
          <div key={i} className="h-[68px] rounded-lg border border-slate-200 bg-white" />
        ))}
      </div>
      <div className="h-9 w-full max-w-2xl rounded bg-slate-200" />
      <div className="flex flex-col gap-px overflow-hidden rounded-lg border border-slate-200 bg-slate-100">
        {Array.from({ length: 12 }, (_, i) => (
          <div key={i} className="h-11 bg-white" />
        ))}
      </div>
    </div>
  );
}
