import ipaddr from 'ipaddr.js';

/**
 * Who a live request counts against: the signed-in user, or else the client's IP address.
 *
 * The IP is read from `X-Forwarded-For` only when TRUST_PROXY_HOPS=N says that N proxies you run sit in
 * front of the app: each appends the address it received the request from, so the N-th entry from the
 * right was written by the outermost one and is the client's; entries further left are whatever the client
 * sent. With no trusted proxy (N=0), nothing in the request can be believed: a route handler under
 * `next start` cannot see the TCP peer (Next 16 gives it no socket; `next start` copies the socket address
 * into `x-forwarded-for` only when the request brings no such header, so the header is the client's word).
 * Every request without a user then shares one bucket, which is exact for the default server listening on
 * 127.0.0.1 only, where every client is this machine.
 *
 * Addresses are canonical, so one client cannot appear as many: the port is dropped, an IPv4-mapped IPv6
 * address is its IPv4 address, IPv4 must be four plain decimal parts (`009.9.9.9`, `0x9.9.9.9` and `9.9.9`
 * are refused, as no proxy writes them), and IPv6 counts by its /64, the block one subscriber gets.
 */

/** The one bucket of requests whose client cannot be known (no trusted proxy, or one that wrote garbage). */
export const UNKNOWN_CLIENT = 'ip:unknown';

/** `9.9.9.9`, `9.9.9.9:1234`, `[2001:db8::1]:443`, `fe80::1%eth0` → the address alone; null when it is none. */
function stripPortAndZone(raw: string): string | null {
  const value = raw.trim();
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(value);
  if (bracketed) return bracketed[1]!.replace(/%.*$/, '');
  // One colon: IPv4 with a port. More: IPv6, whose last group is never read as a port.
  const colons = value.split(':').length - 1;
  if (colons === 1) return /^([^:]+):\d+$/.exec(value)?.[1] ?? null;
  return value.replace(/%.*$/, '') || null;
}

/** The canonical form of one address as a proxy wrote it, or null when it is not a plain IPv4/IPv6 address. */
export function canonicalIp(raw: string): string | null {
  const address = stripPortAndZone(raw);
  if (!address) return null;
  if (ipaddr.IPv4.isValidFourPartDecimal(address)) return ipaddr.IPv4.parse(address).toString();
  if (!ipaddr.IPv6.isValid(address)) return null;
  const v6 = ipaddr.IPv6.parse(address);
  if (v6.isIPv4MappedAddress()) return v6.toIPv4Address().toString();
  const prefix = [...v6.parts.slice(0, 4), 0, 0, 0, 0];
  return `${new ipaddr.IPv6(prefix).toString()}/64`;
}

/**
 * The client's canonical address from X-Forwarded-For with `trustProxyHops` trusted proxies, or null when
 * it cannot be known: no trusted proxy, fewer entries than proxies (the request did not come through them),
 * or an entry that is not an address.
 */
export function clientAddress(headers: Headers, trustProxyHops: number): string | null {
  if (trustProxyHops < 1) return null;
  // Several X-Forwarded-For headers are one list, joined with commas by Headers.get.
  const entries = (headers.get('x-forwarded-for') ?? '').split(',').map((e) => e.trim()).filter(Boolean);
  const entry = entries[entries.length - trustProxyHops];
  return entry === undefined ? null : canonicalIp(entry);
}

/** The rate-limit key of a live request: `user:<id>` when someone is signed in, else `ip:<canonical address>`. */
export function rateLimitKey(headers: Headers, { trustProxyHops, userId }: { trustProxyHops: number; userId?: string | null }): string {
  if (userId) return `user:${userId}`;
  const address = clientAddress(headers, trustProxyHops);
  return address === null ? UNKNOWN_CLIENT : `ip:${address}`;
}

/**
 * The header Better Auth reads the client's address from (its sign-in limiter and session records). The
 * auth route always sets it from `clientAddress`, replacing whatever the client sent, so a guesser cannot
 * pick a fresh address per attempt by sending its own `X-Forwarded-For`.
 */
export const AUTH_CLIENT_ADDRESS_HEADER = 'x-leadsignal-client-address';

/**
 * What that header carries: the client's address (an IPv6 client as its /64's first address, which Better
 * Auth collapses to the same /64), or 0.0.0.0, the unspecified address, for every client that cannot be
 * known, so they share one bucket as they do on the live route.
 */
export function authClientAddress(headers: Headers, trustProxyHops: number): string {
  return clientAddress(headers, trustProxyHops)?.replace(/\/64$/, '') ?? '0.0.0.0';
}
