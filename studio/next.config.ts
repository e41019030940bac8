import { fileURLToPath } from 'node:url';
import type { NextConfig } from 'next';

const config: NextConfig = {
  // The e2e tests build into their own folder (STUDIO_DIST_DIR=.next-e2e), so `npm test` never
  // replaces the build a running platform studio serves from `.next`.
  distDir: process.env.STUDIO_DIST_DIR ?? '.next',
  reactStrictMode: true,
  poweredByHeader: false,
  // The monorepo's root holds the lockfile and node_modules.
  turbopack: { root: fileURLToPath(new URL('..', import.meta.url)) },
  outputFileTracingRoot: fileURLToPath(new URL('..', import.meta.url)),
};

export default config;
