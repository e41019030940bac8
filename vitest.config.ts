import { defineConfig } from 'vitest/config';

// One run for every test: unit tests (`*.test.ts`) and integration tests on the real
// PostgreSQL, Redis, Kafka and Camunda (`*.int.test.ts`). The global setup checks that the
// services are reachable and builds the migrated template database once per run.
export default defineConfig({
  test: {
    include: ['{contracts,metadata,prisma,engine,connectors,bpmn,deploy}/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    globalSetup: ['./test/global-setup.ts'],
    pool: 'forks',
    // Two cores: more parallel files only add contention with the JVM services.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.test-results/vitest.json' }]] : ['default'],
  },
});
