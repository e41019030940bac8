import { randomBytes } from 'node:crypto';
import { defineConfig } from '@playwright/test';

// Chosen once in the main process and inherited by the workers and the global setup: the
// studio's webServer starts before the global setup, so the engine's port and signing key are
// fixed here and the engine fixture is started on them.
process.env.E2E_ENGINE_PORT ??= '4391';
process.env.E2E_STUDIO_PORT ??= '3391';
process.env.E2E_AUTH_SECRET ??= randomBytes(32).toString('hex');
process.env.E2E_TENANT ??= `e2e-${Date.now().toString(36)}`;
const studioUrl = `http://127.0.0.1:${process.env.E2E_STUDIO_PORT}`;

export default defineConfig({
  testDir: './e2e',
  globalSetup: './e2e/global-setup.ts',
  timeout: 90_000,
  expect: { timeout: 15_000 },
  workers: 1,
  fullyParallel: false,
  forbidOnly: Boolean(process.env.CI),
  outputDir: './test-results',
  reporter: process.env.CI
    ? [['list'], ['json', { outputFile: '../.test-results/playwright.json' }]]
    : [['list']],
  use: {
    baseURL: studioUrl,
    viewport: { width: 1280, height: 800 },
    // Debian's Chromium (apt-get install chromium); Playwright downloads no browser here.
    launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' },
    screenshot: 'only-on-failure',
    trace: 'retain-on-failure',
  },
  webServer: {
    // The production build (`next build` into .next-e2e runs first in `npm run test:e2e`).
    command: `npx next start --hostname 127.0.0.1 --port ${process.env.E2E_STUDIO_PORT}`,
    url: `${studioUrl}/sign-in`,
    reuseExistingServer: false,
    timeout: 60_000,
    env: {
      ENGINE_URL: `http://127.0.0.1:${process.env.E2E_ENGINE_PORT}`,
      AUTH_JWT_SECRET: process.env.E2E_AUTH_SECRET,
      NEXT_TELEMETRY_DISABLED: '1',
      STUDIO_DIST_DIR: process.env.STUDIO_DIST_DIR ?? '.next-e2e',
    },
  },
});
