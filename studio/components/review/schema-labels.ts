/**
 * Readable names for the fields of a metadata item, from its kind's JSON Schema (as the engine
 * serves it): a property's `title` when the schema gives one, else its name in words
 * (`validFrom` -> "Valid from"); an array element by its position and what identifies it
 * (`Entries 2 (business-internet, monthly-fee)`). Pure; used by the review's diff and audit.
 */
type Schema = {
  title?: string;
  type?: string | string[];
  properties?: Record<string, Schema>;
  items?: Schema;
  oneOf?: Schema[];
  anyOf?: Schema[];
  const?: unknown;
  discriminator?: { propertyName: string };
  [keyword: string]: unknown;
};

/** `validFrom` -> "Valid from", `max-discount_percent` -> "Max discount percent". */
export function humanize(name: string): string {
  const words = name.replace(/([a-z0-9])([A-Z])/g, '$1 $2').replace(/[-_]+/g, ' ').trim().toLowerCase();
  return words ? words[0]!.toUpperCase() + words.slice(1) : name;
}

/** A oneOf/anyOf variant's title from the value that tells it (its discriminator's `const`), else none. */
function variantTitle(option: unknown, tag: string | undefined): string | undefined {
  const properties = (option as Schema | null)?.properties;
  if (!properties) return undefined;
  const told = tag ? properties[tag]?.const : Object.values(properties).find((p) => typeof p?.const === 'string')?.const;
  return typeof told === 'string' ? humanize(told) : undefined;
}

/**
 * The schema with a title on every property that has none (rjsf shows titles as labels), and on
 * every oneOf/anyOf variant that the value of its discriminator names (rjsf's chooser says
 * "Value constraint", not "Option 3").
 */
export function withTitles<S>(schema: S): S {
  const walk = (node: unknown, name?: string): unknown => {
    if (Array.isArray(node)) return node.map((n) => walk(n));
    if (!node || typeof node !== 'object') return node;
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(node)) {
      if (k === 'properties' && v && typeof v === 'object') {
        out[k] = Object.fromEntries(Object.entries(v).map(([p, sub]) => [p, walk(sub, p)]));
      } else if (k === 'items' || k === 'oneOf' || k === 'anyOf' || k === 'allOf' || k === '$defs') {
        out[k] = k === '$defs' && v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).map(([d, sub]) => [d, walk(sub)])) : walk(v);
      } else out[k] = v;
    }
    if (name !== undefined && out.title === undefined) out.title = humanize(name);
    const tag = (out.discriminator as Schema['discriminator'])?.propertyName;
    for (const k of ['oneOf', 'anyOf']) {
      const options = out[k];
      if (!Array.isArray(options)) continue;
      out[k] = options.map((o: unknown) => {
        const title = o && typeof o === 'object' && !(o as Schema).title ? variantTitle(o, tag) : undefined;
        return title ? { ...(o as Schema), title } : o;
      });
    }
    return out;
  };
  return walk(schema) as S;
}

/** JSON pointer segments, unescaped. */
export const segments = (pointer: string) => pointer.split('/').slice(1).map((s) => s.replaceAll('~1', '/').replaceAll('~0', '~'));

/**
 * A content holding `value` at `pointer` and nothing else, for naming a list element from its own
 * value when the item's content is not at hand (an audit record has only the change).
 */
export function contentAt(pointer: string, value: unknown): unknown {
  return segments(pointer).reduceRight<unknown>((inner, segment) => {
    if (!/^\d+$/.test(segment)) return { [segment]: inner };
    const list: unknown[] = [];
    list[Number(segment)] = inner;
    return list;
  }, value);
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** The oneOf/anyOf variant an instance takes (by its discriminator or `const`), or every variant when it cannot be told. */
function variantsOf(schema: Schema, value: unknown): Schema[] {
  const options = schema.oneOf ?? schema.anyOf;
  if (!options) return [schema];
  const tag = schema.discriminator?.propertyName;
  if (tag && isObject(value)) {
    const chosen = options.find((o) => o.properties?.[tag]?.const === value[tag]);
    if (chosen) return [{ ...schema, ...chosen, properties: { ...schema.properties, ...chosen.properties } }];
  }
  return [schema, ...options];
}

/** What identifies an element of a list, to name it beside its position. */
function hintOf(value: unknown): string | undefined {
  if (!isObject(value)) return undefined;
  for (const keys of [['key'], ['id'], ['name'], ['offering', 'charge'], ['code'], ['role'], ['from']]) {
    const parts = keys.map((k) => value[k]).filter((v) => typeof v === 'string' || typeof v === 'number');
    if (parts.length === keys.length) return parts.join(', ');
  }
  return undefined;
}

/**
 * The readable path of a field: its labels from the root, e.g. ["Entries 2 (business-internet,
 * monthly-fee)", "Rows 1", "Price"]. `content` (optional) picks oneOf variants and names list elements.
 */
export function labelsOf(schema: unknown, pointer: string, content?: unknown): string[] {
  const labels: string[] = [];
  let node: Schema | undefined = schema as Schema;
  let value = content;
  let parentName = '';
  for (const segment of segments(pointer)) {
    const candidates: Schema[] = node ? variantsOf(node, value) : [];
    if (Array.isArray(value) || (candidates.some((c) => c.items) && /^\d+$/.test(segment))) {
      const item = Array.isArray(value) ? value[Number(segment)] : undefined;
      const hint = hintOf(item);
      const label = `${parentName || 'Item'} ${Number(segment) + 1}${hint ? ` (${hint})` : ''}`;
      if (labels.length > 0) labels[labels.length - 1] = label;
      else labels.push(label);
      node = candidates.find((c) => c.items)?.items;
      value = item;
      continue;
    }
    const property: Schema | undefined = candidates.map((c) => c.properties?.[segment]).find(Boolean);
    parentName = property?.title ?? humanize(segment);
    labels.push(parentName);
    node = property;
    value = isObject(value) ? value[segment] : undefined;
  }
  return labels;
}

export const labelOf = (schema: unknown, pointer: string, content?: unknown) => labelsOf(schema, pointer, content).join(' › ') || 'The whole item';

/** The id rjsf gives a field's element (`idPrefix` + its path joined by `_`), to find it in a rendered form. */
export const fieldIdOf = (idPrefix: string, pointer: string) => [idPrefix, ...segments(pointer)].join('_');
