/** @type {import('next').NextConfig} */
const nextConfig = {
  reactStrictMode: true,
  poweredByHeader: false,
  // Native/Node-only packages used by server code stay out of the bundler.
  serverExternalPackages: ['postgres', 'ws', 're2'],
};

export default nextConfig;
