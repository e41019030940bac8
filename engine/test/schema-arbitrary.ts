import fc from 'fast-check';
import type { JsonSchema } from '@cpq/contracts/openapi';

// fast-check arbitraries from the contract's JSON Schemas (the subset the contracts use): values
// shaped like the schema (valid most of the time: patterns, formats, bounds, required and optional
// properties), and the same values broken in one place (a wrong type, a missing required
// property, an unknown property, a string past its bounds). The fuzz test (openapi-fuzz.int.test.ts)
// sends both; ajv, not this file, decides which ones are valid.

type Schema = JsonSchema & Record<string, unknown>;
export type Components = Record<string, Schema>;

const MAX_DEPTH = 6;

function resolve(schema: Schema, components: Components): Schema {
  let current = schema;
  for (let i = 0; i < 20 && typeof current.$ref === 'string'; i += 1) {
    const name = current.$ref.split('/').pop()!.replace(/#$/, '');
    const target = components[name];
    if (!target) return {};
    const { $ref: _ref, ...rest } = current;
    current = { ...target, ...rest } as Schema;
  }
  return current;
}

const typeOf = (schema: Schema): string | undefined => {
  if (Array.isArray(schema.type)) return schema.type.find((t) => t !== 'null') as string | undefined;
  if (typeof schema.type === 'string') return schema.type;
  if (schema.properties) return 'object';
  if (schema.items) return 'array';
  return undefined;
};

function stringOf(schema: Schema): fc.Arbitrary<string> {
  if (typeof schema.pattern === 'string') {
    try {
      // The contracts' patterns are anchored: stringMatching then yields whole matches.
      const arbitrary = fc.stringMatching(new RegExp(schema.pattern, 'u'));
      const max = typeof schema.maxLength === 'number' ? schema.maxLength : undefined;
      return max ? arbitrary.filter((s) => s.length <= max && s.length >= ((schema.minLength as number) ?? 0)) : arbitrary;
    } catch {
      /* an unsupported pattern: fall through to plain strings */
    }
  }
  switch (schema.format) {
    case 'uuid': return fc.uuid();
    case 'date-time': return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString());
    case 'date': return fc.date({ min: new Date('2000-01-01'), max: new Date('2100-01-01'), noInvalidDate: true }).map((d) => d.toISOString().slice(0, 10));
    case 'email': return fc.emailAddress();
    case 'uri': return fc.webUrl();
  }
  const minLength = (schema.minLength as number | undefined) ?? 0;
  const maxLength = Math.min((schema.maxLength as number | undefined) ?? 40, minLength + 40);
  return fc.oneof(
    { weight: 3, arbitrary: fc.string({ minLength, maxLength }) },
    { weight: 1, arbitrary: fc.string({ unit: 'grapheme', minLength, maxLength }) },
  );
}

function numberOf(schema: Schema, integer: boolean): fc.Arbitrary<number> {
  const min = (schema.minimum as number | undefined) ?? (typeof schema.exclusiveMinimum === 'number' ? schema.exclusiveMinimum + (integer ? 1 : 1e-6) : -1e6);
  const max = (schema.maximum as number | undefined) ?? (typeof schema.exclusiveMaximum === 'number' ? schema.exclusiveMaximum - (integer ? 1 : 1e-6) : 1e6);
  if (integer) return fc.integer({ min: Math.ceil(Math.max(min, -2_147_483_648)), max: Math.floor(Math.min(max, 2_147_483_647)) });
  return fc.double({ min, max, noNaN: true, noDefaultInfinity: true });
}

/** A value shaped like the schema. */
export function valueOf(input: Schema, components: Components, depth = 0): fc.Arbitrary<unknown> {
  const schema = resolve(input, components);
  if ('const' in schema) return fc.constant(schema.const);
  if (Array.isArray(schema.enum)) return fc.constantFrom(...(schema.enum as unknown[]));
  const variants = (schema.oneOf ?? schema.anyOf) as Schema[] | undefined;
  if (variants?.length) {
    // A discriminated variant: the base's properties merged into each.
    const { oneOf: _o, anyOf: _a, ...base } = schema;
    return fc.oneof(...variants.map((v) => valueOf(mergeObject(base as Schema, resolve(v, components), components), components, depth)));
  }
  if (Array.isArray(schema.allOf)) {
    const merged = (schema.allOf as Schema[]).reduce<Schema>((acc, part) => mergeObject(acc, resolve(part, components), components), { ...schema, allOf: undefined } as Schema);
    delete merged.allOf;
    return valueOf(merged, components, depth);
  }
  if (depth > MAX_DEPTH) return fc.constant(null);
  switch (typeOf(schema)) {
    case 'string': return stringOf(schema);
    case 'integer': return numberOf(schema, true);
    case 'number': return numberOf(schema, false);
    case 'boolean': return fc.boolean();
    case 'null': return fc.constant(null);
    case 'array': {
      const items = (schema.items as Schema | undefined) ?? {};
      const minLength = (schema.minItems as number | undefined) ?? 0;
      const maxLength = Math.min((schema.maxItems as number | undefined) ?? 3, minLength + 3);
      return fc.array(valueOf(items, components, depth + 1), { minLength, maxLength });
    }
    case 'object': return objectOf(schema, components, depth);
    default: return fc.jsonValue({ maxDepth: 2 });
  }
}

function mergeObject(a: Schema, b: Schema, components: Components): Schema {
  const ra = resolve(a, components);
  return {
    ...ra, ...b,
    properties: { ...(ra.properties as object | undefined), ...(b.properties as object | undefined) },
    required: [...new Set([...((ra.required as string[] | undefined) ?? []), ...((b.required as string[] | undefined) ?? [])])],
  } as Schema;
}

function objectOf(schema: Schema, components: Components, depth: number): fc.Arbitrary<Record<string, unknown>> {
  const properties = (schema.properties ?? {}) as Record<string, Schema>;
  const required = new Set((schema.required as string[] | undefined) ?? []);
  const record = Object.fromEntries(Object.entries(properties).map(([name, s]) => [name, valueOf(s, components, depth + 1)]));
  const known = fc.record(record, { requiredKeys: Object.keys(properties).filter((k) => required.has(k)) });
  const extra = schema.additionalProperties;
  if (extra && typeof extra === 'object' && Object.keys(properties).length === 0) {
    return fc.dictionary(fc.string({ minLength: 1, maxLength: 12 }), valueOf(extra as Schema, components, depth + 1), { maxKeys: 3 });
  }
  return known;
}

/** Something of the wrong JSON type for the schema (or any value when the schema is open). */
const wrongType = fc.oneof(
  fc.constant(null), fc.boolean(), fc.integer(), fc.double(), fc.string({ maxLength: 8 }), fc.constant([]), fc.constant({}),
  fc.constant('x'.repeat(10_000)), fc.constant(-1), fc.constant(2 ** 53 + 1), fc.constant(''),
);

/** A value like the schema's, broken in one place: the fuzz's invalid-but-plausible bodies. */
export function brokenValueOf(schema: Schema, components: Components): fc.Arbitrary<unknown> {
  return fc.tuple(valueOf(schema, components), fc.nat(), wrongType, fc.constantFrom('replace', 'delete', 'add', 'stretch')).map(([value, pick, wrong, how]) => {
    const paths = pathsOf(value);
    const path = paths[pick % paths.length]!;
    return breakAt(value, path, how, wrong);
  });
}

type Path = (string | number)[];
function pathsOf(value: unknown, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => pathsOf(v, [...at, i], out));
  else if (value && typeof value === 'object') for (const [k, v] of Object.entries(value)) pathsOf(v, [...at, k], out);
  return out;
}

function breakAt(value: unknown, path: Path, how: string, wrong: unknown): unknown {
  if (path.length === 0) {
    if (how === 'add' && value && typeof value === 'object' && !Array.isArray(value)) return { ...value, unexpectedField: wrong };
    if (how === 'stretch' && typeof value === 'string') return value + 'x'.repeat(5000);
    return wrong;
  }
  const [head, ...rest] = path;
  if (Array.isArray(value)) return value.map((v, i) => (i === head ? breakAt(v, rest, how, wrong) : v));
  const object = { ...(value as Record<string, unknown>) };
  if (rest.length === 0 && how === 'delete') delete object[head as string];
  else object[head as string] = breakAt(object[head as string], rest, how, wrong);
  return object;
}

/** JSON nested `depth` levels deep (objects and arrays alternating). */
export function deepJson(depth: number): string {
  return '{"a":['.repeat(depth) + '1' + ']}'.repeat(depth);
}
