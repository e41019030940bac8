import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { GENERATED_DIR, renderAll } from './generate-types';

describe('types generated from the contracts', () => {
  it('match the YAML: the committed files are what the generator gives today', async () => {
    const rendered = await renderAll();
    for (const [name, content] of Object.entries(rendered)) {
      const committed = readFileSync(join(GENERATED_DIR, name), 'utf8');
      expect(committed, `contracts/src/generated/${name} is stale: run \`npm run contracts:generate\` and commit the result`).toBe(content);
    }
  });

  it('name every operation and every event message of the contracts', async () => {
    const { 'api.ts': api, 'events.ts': events } = await renderAll();
    expect(api).toMatch(/\n {4}createQuote: \{/);
    expect(api).toMatch(/\n {4}publishReleaseCandidate: \{/);
    expect(events).toMatch(/\n {8}QuoteAccepted: components\["schemas"\]\["EventEnvelope"\] & \{/);
    expect(events).not.toMatch(/\n {8}DeadLetter:/);
    expect(events).toMatch(/export type messages = \{\n {4}ApprovalEscalated: /);
  });
});
