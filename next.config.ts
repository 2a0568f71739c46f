import type { NextConfig } from 'next';

/**
 * Headers every response gets, pages, API and static files alike. A page's Content-Security-Policy needs a
 * fresh nonce per request, so proxy.ts sets it (lib/security-headers.ts); API responses are JSON that must
 * never render or run, so theirs allows nothing.
 */
const SECURITY_HEADERS = [
  { key: 'X-Content-Type-Options', value: 'nosniff' },
  // Lead ids in paths stay on this site.
  { key: 'Referrer-Policy', value: 'same-origin' },
  // For browsers without CSP frame-ancestors.
  { key: 'X-Frame-Options', value: 'DENY' },
  { key: 'Permissions-Policy', value: 'camera=(), microphone=(), geolocation=(), payment=()' },
];

const nextConfig: NextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native/Node-only packages used by server code stay out of the bundler.
  serverExternalPackages: ['postgres', 'ws', 're2', '@duckdb/node-api'],
  async headers() {
    return [
      { source: '/:path*', headers: SECURITY_HEADERS },
      { source: '/api/:path*', headers: [{ key: 'Content-Security-Policy', value: "default-src 'none'; frame-ancestors 'none'" }] },
    ];
  },
};

export default nextConfig;
