/**
 * Stable, dependency-free hashing for versioning (rules version, lead input hash).
 * Pure JS rather than node:crypto so the scoring engine stays importable anywhere.
 * Not a security primitive: it only has to change when the input changes.
 */

/** JSON with object keys sorted at every level, so key order never changes a hash. */
export function canonicalJson(value: unknown): string {
  return JSON.stringify(value, (_key, v: unknown) => {
    if (v && typeof v === 'object' && !Array.isArray(v)) {
      const sorted: Record<string, unknown> = {};
      for (const k of Object.keys(v).sort()) sorted[k] = (v as Record<string, unknown>)[k];
      return sorted;
    }
    return v;
  });
}

/** The two 32-bit FNV-1a lanes (unsigned) behind `hashString` and `unitInterval`. */
function hashLanes(text: string): [number, number] {
  let a = 0x811c9dc5;
  let b = 0x01000193 ^ 0x9e3779b9;
  for (let i = 0; i < text.length; i++) {
    const c = text.charCodeAt(i);
    a = Math.imul(a ^ c, 0x01000193);
    b = Math.imul(b ^ c, 0x5bd1e995);
    b ^= b >>> 15;
  }
  return [a >>> 0, b >>> 0];
}

/** 64-bit hash (two independent 32-bit FNV-1a lanes) of a string, as 16 hex chars. */
export function hashString(text: string): string {
  const [a, b] = hashLanes(text);
  return a.toString(16).padStart(8, '0') + b.toString(16).padStart(8, '0');
}

export function stableHash(value: unknown): string {
  return hashString(canonicalJson(value));
}

/**
 * A well-mixed number in [0, 1) from a string: the 64-bit hash's lanes folded and run through murmur3's
 * finaliser, so ids that differ only in their last character still land far apart.
 */
export function unitInterval(text: string): number {
  // From the lanes, not the hex string: the split hashes every lead, and the hex round trip was 13× the cost.
  const [a, b] = hashLanes(text);
  let h = (a ^ Math.imul(b, 0x9e3779b1)) >>> 0;
  h = Math.imul(h ^ (h >>> 16), 0x85ebca6b);
  h = Math.imul(h ^ (h >>> 13), 0xc2b2ae35);
  h ^= h >>> 16;
  return (h >>> 0) / 0x1_0000_0000;
}
