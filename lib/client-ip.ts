/**
 * The client IP used as the rate-limit key, read from the header named by ENRICH_CLIENT_IP_HEADER.
 *
 * Headers like X-Forwarded-For are only as trustworthy as whatever sets them. `next start` fills
 * `x-forwarded-for` from the socket's remote address only when the request does not already carry one
 * (base-server.js: `req.headers['x-forwarded-for'] ??= socket.remoteAddress`), so a client talking to
 * `next start` directly from the open internet can send any value and dodge a per-IP limit. That is why
 * the header is configurable: behind a proxy you trust (Vercel, nginx), name the header it overwrites.
 */
export function clientIp(headers: Headers, headerName: string): string {
  const raw = headers.get(headerName);
  // X-Forwarded-For is "client, proxy1, proxy2": the first entry is the original client.
  const first = raw?.split(',')[0]?.trim();
  return first ? first.slice(0, 100) : 'unknown';
}
