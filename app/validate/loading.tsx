export default function Loading() {
  return (
    <div role="status" aria-label="Loading backtest" className="flex animate-pulse flex-col gap-5">
      <div className="h-7 w-40 rounded bg-slate-200" />
      <div className="grid grid-cols-2 gap-3 lg:grid-cols-4">
        {Array.from({ length: 4 }, (_, i) => (
          <div key={i} className="h-20 rounded-lg border border-slate-200 bg-white" />
        ))}
      </div>
      <div className="grid gap-5 lg:grid-cols-2">
        {Array.from({ length: 4 }, (_, i) => (
          <div key={i} className="h-72 rounded-lg border border-slate-200 bg-white" />
        ))}
      </div>
    </div>
  );
}
