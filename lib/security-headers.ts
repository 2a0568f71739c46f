/**
 * The Content-Security-Policy of every page, with a fresh nonce per request (set by proxy.ts). Next 16 reads
 * the nonce from the request's CSP header and puts it on its own inline and bundle scripts, so no inline
 * script runs without it ('strict-dynamic' lets those scripts load the chunks they need). Styles: the CSS
 * files and nonced <style> elements; `style` attributes (React's style prop, the charts' SVG) are allowed
 * on their own by style-src-attr, as they cannot run script. Pages cannot be framed (`frame-ancestors`).
 * Development adds 'unsafe-eval', which React's dev build needs for its error overlay.
 *
 * The headers that need no nonce (nosniff, the referrer policy, the API's CSP) are set for every response,
 * pages, API and static files alike, in next.config.ts.
 */
export function contentSecurityPolicy(nonce: string, { development = false }: { development?: boolean } = {}): string {
  return [
    `default-src 'self'`,
    `script-src 'self' 'nonce-${nonce}' 'strict-dynamic'${development ? ` 'unsafe-eval'` : ''}`,
    `style-src 'self' 'nonce-${nonce}'`,
    `style-src-attr 'unsafe-inline'`,
    `img-src 'self' data: blob:`,
    `font-src 'self'`,
    `connect-src 'self'`,
    `object-src 'none'`,
    `base-uri 'none'`,
    `form-action 'self'`,
    `frame-ancestors 'none'`,
  ].join('; ');
}

/** 128 random bits, base64: unguessable, and new for every page. */
export function newNonce(): string {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(16))).toString('base64');
}
