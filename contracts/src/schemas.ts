import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { CONTRACTS_DIR, type JsonSchema } from './openapi';

/** A JSON Schema from contracts/schemas, e.g. `loadSchema('events/event-envelope')`. */
export function loadSchema(name: string): JsonSchema {
  return JSON.parse(readFileSync(join(CONTRACTS_DIR, 'schemas', `${name}.schema.json`), 'utf8')) as JsonSchema;
}
