export type FieldChange = { pointer: string; from?: unknown; to?: unknown };
export type ItemDiff = { kind: string; key: string; changes: FieldChange[] };
export type ReleaseDiff = {
  added: { kind: string; key: string }[];
  removed: { kind: string; key: string }[];
  changed: ItemDiff[];
};
type Item = { kind: string; key: string; content: unknown; contentHash: string };

const escape = (segment: string) => segment.replace(/~/g, '~0').replace(/\//g, '~1');
const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Field-level differences as JSON pointers; a missing side is absent from the change. */
export function diffValues(from: unknown, to: unknown, pointer = ''): FieldChange[] {
  if (Object.is(from, to)) return [];
  if (isObject(from) && isObject(to)) {
    const keys = [...new Set([...Object.keys(from), ...Object.keys(to)])].sort();
    return keys.flatMap((k) => {
      const p = `${pointer}/${escape(k)}`;
      if (!(k in to)) return [{ pointer: p, from: from[k] }];
      if (!(k in from)) return [{ pointer: p, to: to[k] }];
      return diffValues(from[k], to[k], p);
    });
  }
  if (Array.isArray(from) && Array.isArray(to)) {
    const length = Math.max(from.length, to.length);
    return Array.from({ length }, (_, i) => {
      const p = `${pointer}/${i}`;
      if (i >= to.length) return [{ pointer: p, from: from[i] }];
      if (i >= from.length) return [{ pointer: p, to: to[i] }];
      return diffValues(from[i], to[i], p);
    }).flat();
  }
  return [{ pointer, from, to }];
}

export function diffReleases(fromItems: Item[], toItems: Item[]): ReleaseDiff {
  const id = (i: { kind: string; key: string }) => `${i.kind}\u0000${i.key}`;
  const before = new Map(fromItems.map((i) => [id(i), i]));
  const after = new Map(toItems.map((i) => [id(i), i]));
  const byRef = (a: { kind: string; key: string }, b: { kind: string; key: string }) => id(a).localeCompare(id(b));
  return {
    added: toItems.filter((i) => !before.has(id(i))).map(({ kind, key }) => ({ kind, key })).sort(byRef),
    removed: fromItems.filter((i) => !after.has(id(i))).map(({ kind, key }) => ({ kind, key })).sort(byRef),
    changed: toItems
      .filter((i) => before.has(id(i)) && before.get(id(i))!.contentHash !== i.contentHash)
      .map((i) => ({ kind: i.kind, key: i.key, changes: diffValues(before.get(id(i))!.content, i.content) }))
      .sort(byRef),
  };
}
