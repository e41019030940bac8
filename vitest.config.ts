import { fileURLToPath } from 'node:url';
import { playwright } from '@vitest/browser-playwright';
import { defineConfig } from 'vitest/config';
import { nodeRuntimeProblem } from './connectors/src/runtime/node-runtime.ts';

// The tests run on the project's pinned Node.js like every process role (ADR 0010): npm and
// npx put node_modules/.bin/node first on PATH; a vitest started on another runtime stops here.
const runtimeProblem = nodeRuntimeProblem();
if (runtimeProblem !== undefined) throw new Error(runtimeProblem);

const workspaces = '{contracts,metadata,prisma,engine,connectors,bpmn,deploy}';

// Three projects, one run (`npm test` runs them all):
// - unit (`*.test.ts`): no service at all, no global setup; `npm run test:unit` runs only these,
//   so they must pass with PostgreSQL, Redis, Kafka and Camunda unreachable.
// - integration (`*.int.test.ts`): the real PostgreSQL, Redis, Kafka and Camunda. The global
//   setup checks that PostgreSQL is reachable and builds the migrated template database once
//   per run; each test file clones it.
// - studio (`studio/components/**/*.test.tsx`): the studio's React components (custom form
//   widgets, modelers) rendered in Debian's Chromium through vitest's browser mode (Playwright
//   provider, no browser download): real layout, focus and events, which CodeMirror and bpmn-js
//   need and jsdom does not have. No service; `npx vitest run --project studio` runs it alone.
export default defineConfig({
  test: {
    exclude: ['**/node_modules/**'],
    pool: 'forks',
    // Two cores: more parallel files only add contention with the JVM services.
    maxWorkers: 2,
    testTimeout: 60_000,
    hookTimeout: 120_000,
    reporters: process.env.CI ? ['default', ['json', { outputFile: '.test-results/vitest.json' }]] : ['default'],
    projects: [
      {
        extends: true,
        test: {
          name: 'unit',
          include: [`${workspaces}/**/*.test.ts`],
          exclude: ['**/node_modules/**', '**/*.int.test.ts'],
        },
      },
      {
        extends: true,
        // Rooted in studio/ so dependencies resolve as the studio's build resolves them (its own ajv 8).
        root: fileURLToPath(new URL('./studio', import.meta.url)),
        resolve: { alias: { '@': fileURLToPath(new URL('./studio', import.meta.url)) } },
        // The studio's own JSX setting (tsconfig: react-jsx), for the components under test.
        oxc: { jsx: { runtime: 'automatic' } },
        // Bundled before the first test: a dependency found later makes vite reload the page
        // mid-run and fail the file (CI starts with no cache).
        optimizeDeps: {
          include: [
            'react', 'react-dom', 'react-dom/client', 'react/jsx-runtime', 'react/jsx-dev-runtime', 'vitest-browser-react',
            '@rjsf/core', '@rjsf/utils', '@rjsf/validator-ajv8', 'ajv/dist/2020.js', 'ajv-formats',
            '@codemirror/state', '@codemirror/view', '@codemirror/language', '@codemirror/lint', '@codemirror/commands', '@bpmn-io/lang-feel', '@lezer/highlight',
            // The FEEL compiler's (@cpq/metadata/feel, the engine's, used by the FEEL editor's tests).
            'feelin', 'temporal-polyfill',
            // The modelers (components/modeler).
            'bpmn-js/lib/Modeler', 'bpmn-js/lib/util/ModelUtil', 'bpmn-js-properties-panel', '@bpmn-io/properties-panel',
            'camunda-bpmn-js-behaviors/lib/camunda-platform', 'dmn-js/lib/Modeler', '@bpmn-io/dmn-migrate',
          ],
        },
        test: {
          name: 'studio',
          include: ['components/**/*.test.tsx'],
          browser: {
            enabled: true,
            headless: true,
            provider: playwright({ launchOptions: { executablePath: process.env.CHROMIUM_PATH ?? '/usr/bin/chromium' } }),
            instances: [{ browser: 'chromium' }],
            viewport: { width: 1280, height: 800 },
            screenshotFailures: false,
          },
        },
      },
      {
        extends: true,
        test: {
          name: 'integration',
          include: [`${workspaces}/**/*.int.test.ts`],
          globalSetup: ['./test/global-setup.ts'],
        },
      },
    ],
  },
});
