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

/** ISO date-time → "2026-11-01" (its UTC day). */
export function formatDate(iso: string): string {
  return formatDateTime(iso).slice(0, 10);
}

/** A custom attribute's value for display: yes/no, grouped numbers, an ISO date-time as its date and time. */
export function formatAttribute(value: string | number | boolean): string {
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (typeof value === 'number') return Number.isInteger(value) ? formatInt(value) : String(value);
  return /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?Z$/.test(value) ? formatDateTime(value) : value;
}
