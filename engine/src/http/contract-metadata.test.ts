import { loadApiDocument, listOperations, type JsonSchema } from '@cpq/contracts/openapi';
import { ITEM_KEY_SCHEMA, METADATA_KINDS } from '@cpq/metadata';
import { describe, expect, it } from 'vitest';

// The OpenAPI names metadata kinds and keys; the metadata registry decides them. These tests
// fail when the two drift, and say what to paste where.
const doc = loadApiDocument();
const FIX = 'contracts/openapi/admin-api.yaml components.schemas';
const KIND_REF = '#/components/schemas/MetadataKind';
const KEY_REF = '#/components/schemas/ItemKey';

/** Every property or parameter of a request (body, path, query) that names a metadata kind or key, with where it is. */
function requestFields(): { where: string; name: string; schema: JsonSchema }[] {
  const found: { where: string; name: string; schema: JsonSchema }[] = [];
  const walk = (node: unknown, where: string): void => {
    if (Array.isArray(node)) return node.forEach((item, i) => walk(item, `${where}/${i}`));
    if (node === null || typeof node !== 'object') return;
    const properties = (node as { properties?: Record<string, JsonSchema> }).properties;
    for (const [name, schema] of Object.entries(properties ?? {})) found.push({ where: `${where}/${name}`, name, schema });
    for (const [key, value] of Object.entries(node)) walk(value, `${where}/${key}`);
  };
  for (const { operation } of listOperations(doc)) {
    walk(operation.requestBody, `${operation.operationId} body`);
    for (const p of operation.parameters ?? []) {
      const parameter = '$ref' in p ? doc.components.parameters?.[p.$ref.split('/').pop() ?? ''] : p;
      if (parameter) found.push({ where: `${operation.operationId} ${parameter.in} ${parameter.name}`, name: parameter.name, schema: parameter.schema });
    }
  }
  return found;
}

describe('metadata kinds and keys in the OpenAPI come from the metadata registry', () => {
  it('MetadataKind lists exactly the registry\'s kinds, in its order', () => {
    const kinds = (doc.components.schemas.MetadataKind as { enum?: string[] }).enum;
    expect(kinds, `set ${FIX}.MetadataKind.enum to [ ${METADATA_KINDS.join(', ')} ] (metadata/src/registry.ts)`).toEqual(METADATA_KINDS);
  });

  it('ItemKey is the registry\'s key rule (type, length, pattern)', () => {
    const { description: _description, ...itemKey } = doc.components.schemas.ItemKey as JsonSchema;
    expect(itemKey, `set ${FIX}.ItemKey to ${JSON.stringify(ITEM_KEY_SCHEMA)} (metadata/src/kinds/schema-parts.ts "key")`).toEqual(ITEM_KEY_SCHEMA);
  });

  it('every request field naming a kind, key or offering refers to MetadataKind or ItemKey instead of restating a rule', () => {
    // A quote's basis has a kind of its own (change or renewal, ADR 0022), not a metadata kind.
    const fields = requestFields().filter((f) => ['kind', 'key', 'offering'].includes(f.name) && !f.where.endsWith('/properties/basis/kind'));
    expect(fields.length).toBeGreaterThan(5);
    const restated = fields
      .filter((f) => f.schema.$ref !== (f.name === 'kind' ? KIND_REF : KEY_REF))
      .map((f) => `${f.where}: use { $ref: '${f.name === 'kind' ? KIND_REF : KEY_REF}' }`);
    expect(restated).toEqual([]);
  });
});
