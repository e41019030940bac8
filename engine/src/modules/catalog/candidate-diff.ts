import { diffValues, type FieldChange } from './release-diff';

type Item = { kind: string; key: string; content: unknown; contentHash: string };
export type ItemChange = 'added' | 'changed' | 'removed' | 'unchanged';
export type CandidateItemDiff = { kind: string; key: string; change: ItemChange; before: unknown; after: unknown; changes: FieldChange[] };

const id = (i: { kind: string; key: string }) => `${i.kind}\u0000${i.key}`;

/**
 * What a candidate changes in the current release, item by item, with both contents so a
 * reviewer sees them side by side: each item of the candidate (added, changed, or unchanged when
 * its draft equals the release), then the items its release no longer holds (a roll forward
 * past releases that added items). Pure.
 */
export function diffCandidate(candidateItems: Item[], releasedItems: Item[], currentItems: Item[]): CandidateItemDiff[] {
  const current = new Map(currentItems.map((i) => [id(i), i]));
  const released = new Set(releasedItems.map(id));
  const changed = candidateItems.map((item): CandidateItemDiff => {
    const before = current.get(id(item));
    if (!before) return { kind: item.kind, key: item.key, change: 'added', before: null, after: item.content, changes: [] };
    const same = before.contentHash === item.contentHash;
    return { kind: item.kind, key: item.key, change: same ? 'unchanged' : 'changed', before: before.content, after: item.content, changes: same ? [] : diffValues(before.content, item.content) };
  });
  const removed = currentItems
    .filter((i) => !released.has(id(i)))
    .map((i): CandidateItemDiff => ({ kind: i.kind, key: i.key, change: 'removed', before: i.content, after: null, changes: [] }));
  const order = (a: CandidateItemDiff, b: CandidateItemDiff) => id(a).localeCompare(id(b));
  return [...changed.sort(order), ...removed.sort(order)];
}
