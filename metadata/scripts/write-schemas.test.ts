import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { renderSchemas, SCHEMAS_DIR } from './write-schemas';

describe('metadata/schemas', () => {
  it('holds exactly the registry\'s schemas, byte for byte (run scripts/write-schemas.ts after changing a kind)', () => {
    const expected = renderSchemas();
    expect(readdirSync(SCHEMAS_DIR).filter((f) => f.endsWith('.schema.json')).sort()).toEqual(expected.map((s) => s.file).sort());
    for (const { file, text } of expected) expect(readFileSync(join(SCHEMAS_DIR, file), 'utf8'), file).toBe(text);
  });
});
