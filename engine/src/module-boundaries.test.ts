import { ESLint } from 'eslint';
import { describe, expect, it } from 'vitest';

// The lint rules that keep modules apart must actually fire: lint snippets as if they were
// files at these paths, with the repository's own eslint.config.js.
const eslint = new ESLint({ cwd: new URL('../..', import.meta.url).pathname });

async function ruleIds(code: string, filePath: string): Promise<string[]> {
  const [result] = await eslint.lintText(code, { filePath });
  return (result?.messages ?? []).map((m) => m.ruleId ?? m.message);
}

describe('module boundaries are enforced by lint', () => {
  it.each([
    ['a module importing another module\'s internals', "import { writeOutboxEvent } from '../outbox/outbox.writer';\nvoid writeOutboxEvent;\n", 'engine/src/modules/tenant/x.ts', ['no-restricted-imports']],
    ['a module importing another module\'s port', "import { writeOutboxEvent } from '../outbox';\nvoid writeOutboxEvent;\n", 'engine/src/modules/tenant/x.ts', []],
    ['the app importing a module\'s internals', "import { healthRoutes } from './modules/health/health.routes';\nvoid healthRoutes;\n", 'engine/src/app2.ts', ['no-restricted-imports']],
    ['a module reading process.env', 'export const port = process.env.PORT;\n', 'engine/src/modules/tenant/x.ts', ['no-restricted-properties']],
    ['config reading process.env', 'export const port = process.env.PORT;\n', 'engine/src/config.ts', []],
    ['connectors importing the engine package', "import { issueToken } from '@cpq/engine/http/auth';\nvoid issueToken;\n", 'connectors/src/camunda/x.ts', ['no-restricted-imports']],
    ['connectors importing an engine module', "import { recordNotifications } from '@cpq/engine/modules/notification';\nvoid recordNotifications;\n", 'connectors/src/consumer/x.ts', ['no-restricted-imports']],
    ['a connectors test importing the engine\'s test helpers', "import { createTestApp } from '../../../engine/test/test-app';\nvoid createTestApp;\n", 'connectors/src/camunda/x.int.test.ts', ['no-restricted-imports']],
    ['a connectors test using the root test helpers', "import { startEngineProcess } from '../../../test/services/engine-process';\nvoid startEngineProcess;\n", 'connectors/src/camunda/x.int.test.ts', []],
    ['the engine importing connectors', "import { createPollingLoop } from '@cpq/connectors/shared/polling-loop';\nvoid createPollingLoop;\n", 'engine/src/modules/notification/x.ts', []],
    ['the studio importing engine code', "import { buildApp } from '@cpq/engine/app';\nvoid buildApp;\n", 'studio/src/page.ts', ['no-restricted-imports']],
  ])('%s', async (_label, code, filePath, expected) => {
    expect(await ruleIds(code, filePath)).toEqual(expected);
  });
});
