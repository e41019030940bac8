/**
 * Where two contents of an item differ, as JSON pointers with both values: for a version
 * conflict, so the admin reads which fields theirs and yours disagree on instead of searching two
 * JSON documents. Lists are compared element by element; `limit` keeps a large disagreement short.
 */
export type JsonChange = { pointer: string; theirs: unknown; yours: unknown };

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const escape = (key: string) => key.replaceAll('~', '~0').replaceAll('/', '~1');

export function jsonChanges(theirs: unknown, yours: unknown, limit = 20): JsonChange[] {
  const out: JsonChange[] = [];
  const walk = (a: unknown, b: unknown, pointer: string) => {
    if (out.length >= limit) return;
    if (Array.isArray(a) && Array.isArray(b)) {
      for (let i = 0; i < Math.max(a.length, b.length); i += 1) walk(a[i], b[i], `${pointer}/${i}`);
    } else if (isObject(a) && isObject(b)) {
      for (const key of new Set([...Object.keys(a), ...Object.keys(b)])) walk(a[key], b[key], `${pointer}/${escape(key)}`);
    } else if (JSON.stringify(a) !== JSON.stringify(b)) {
      out.push({ pointer, theirs: a, yours: b });
    }
  };
  walk(theirs, yours, '');
  return out;
}
