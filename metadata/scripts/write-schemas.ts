import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { METADATA_KINDS, registry } from '../src/registry';

/**
 * Writes each kind's JSON Schema from the registry to metadata/schemas/<kind>.schema.json, for
 * the studio, the contracts and reviewers. The registry is the source; write-schemas.test.ts
 * fails when the files drift from it. Run: `npx tsx metadata/scripts/write-schemas.ts`.
 */
export const SCHEMAS_DIR = join(dirname(fileURLToPath(import.meta.url)), '..', 'schemas');

export function renderSchemas(): { file: string; text: string }[] {
  return METADATA_KINDS.map((kind) => ({ file: `${kind}.schema.json`, text: `${JSON.stringify(registry[kind].schema, null, 2)}\n` }));
}

if (process.argv[1] && import.meta.url === pathToFileURL(process.argv[1]).href) {
  mkdirSync(SCHEMAS_DIR, { recursive: true });
  for (const { file, text } of renderSchemas()) writeFileSync(join(SCHEMAS_DIR, file), text);
  console.log(`wrote ${METADATA_KINDS.length} schemas to ${SCHEMAS_DIR}`);
}
