import type { z } from 'zod';
import { AppError } from './errors';

/**
 * Checks a state-changing request must pass before its body is read, and the body read itself, bounded.
 * For route handlers: they get a web Request (`next start` streams the socket into its body as it is read).
 */

/**
 * Refuses a request a browser sent from another site (CSRF). A browser says where a request comes from:
 * `Sec-Fetch-Site` (every current browser), else `Origin`, which must name this server's host (`Host`, or
 * with trusted proxies the `X-Forwarded-Host` the nearest one set). A request with neither is not from a
 * browser (curl, a script), so no other site can have made it.
 */
export function assertSameOrigin(request: Request, { trustProxyHops }: { trustProxyHops: number }): void {
  const refuse = (why: string) => {
    throw new AppError('CROSS_SITE_REQUEST', `Cross-site request refused: ${why}`, {
      safeMessage: 'This request came from another site and was refused. Use LeadSignal itself.',
    });
  };
  const site = request.headers.get('sec-fetch-site');
  if (site !== null) {
    // "none": the user's own action (typed, bookmarked), not a page's.
    if (site === 'same-origin' || site === 'none') return;
    refuse(`Sec-Fetch-Site is "${site}"`);
  }
  const origin = request.headers.get('origin');
  if (origin === null) return;
  let originHost: string;
  try {
    originHost = new URL(origin).host;
  } catch {
    return refuse(`Origin "${origin}" is not a URL`);
  }
  const hosts = [request.headers.get('host')];
  if (trustProxyHops > 0) hosts.push(request.headers.get('x-forwarded-host')?.split(',').at(-1)?.trim() ?? null);
  if (!hosts.includes(originHost)) refuse(`Origin "${origin}" is not this server (${hosts.filter(Boolean).join(', ') || 'no Host header'})`);
}

/** Only `application/json` (any parameters, e.g. charset): a cross-site form or `text/plain` POST cannot send it unasked. */
export function assertJsonContentType(request: Request): void {
  const type = request.headers.get('content-type');
  const essence = type?.split(';')[0]!.trim().toLowerCase();
  if (essence !== 'application/json') {
    throw new AppError('UNSUPPORTED_MEDIA_TYPE', `Content-Type must be application/json (got ${type === null ? 'none' : `"${type}"`})`);
  }
}

function tooLarge(what: string, maxBytes: number): AppError {
  return new AppError('PAYLOAD_TOO_LARGE', `Request body ${what} (max ${maxBytes} bytes)`);
}

/**
 * The body as UTF-8 text, at most `maxBytes`: refused by its declared Content-Length before anything is read,
 * else while streaming, as soon as the bytes read pass the limit (the rest is never read into memory).
 */
export async function readBodyText(request: Request, maxBytes: number): Promise<string> {
  const declared = request.headers.get('content-length');
  if (declared !== null && Number(declared) > maxBytes) throw tooLarge(`is ${declared} bytes`, maxBytes);
  if (!request.body) return '';
  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    total += value.byteLength;
    if (total > maxBytes) {
      await reader.cancel().catch(() => {});
      throw tooLarge(`passed ${maxBytes} bytes`, maxBytes);
    }
    chunks.push(value);
  }
  try {
    return new TextDecoder('utf-8', { fatal: true }).decode(Buffer.concat(chunks));
  } catch {
    throw new AppError('INVALID_INPUT', 'Request body is not valid UTF-8');
  }
}

/**
 * A JSON body read by its route's schema: 400 INVALID_INPUT for text that is not JSON, else for the schema's
 * first issue (unexpected fields named as such). `shape` is the body as a client should send it, for the message.
 */
export function parseJsonBody<T>(text: string, schema: z.ZodType<T>, shape: string): T {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new AppError('INVALID_INPUT', `Request body must be JSON: ${shape}`);
  }
  const parsed = schema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const message =
      issue.code === 'unrecognized_keys'
        ? `Unexpected field(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}: the body is ${shape}`
        : `${issue.path.length ? `Field "${issue.path.join('.')}"` : 'Body'}: ${issue.message}`;
    throw new AppError('INVALID_INPUT', message);
  }
  return parsed.data;
}
