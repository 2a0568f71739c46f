/** Number formatting shared by server and client components (fixed locale so SSR and hydration agree). */
const integer = new Intl.NumberFormat('en-US');

export function formatInt(n: number): string {
  return integer.format(n);
}

/** 0.1234 → "12.3%"; null → "—". */
export function formatPct(x: number | null, digits = 1): string {
  return x === null ? '—' : `${(100 * x).toFixed(digits)}%`;
}

/** 2.345 → "2.35×"; null → "—". */
export function formatLift(x: number | null): string {
  return x === null ? '—' : `${x.toFixed(2)}×`;
}

/** ISO date-time → "2026-11-01 14:05 UTC": unambiguous, and identical on server and client. */
export function formatDateTime(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return `${date.toISOString().slice(0, 16).replace('T', ' ')} UTC`;
}
