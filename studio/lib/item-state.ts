import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';
import type { Draft, JsonObject, Release } from './api';

export type ItemState = { label: 'published' | 'changed' | 'new'; text: string };
export type WorkspaceItem = { kind: string; key: string; content: JsonObject; draft?: Draft; state: ItemState };

/** The engine's item hash: SHA-256 over RFC 8785 canonical JSON (engine content-hash.ts), recomputed here to compare. */
const hashOf = (content: unknown) => createHash('sha256').update((canonicalize as unknown as (v: unknown) => string)(content)).digest('hex');

/**
 * Every item of the tenant: the current release's items and the drafts (publishing consumes the
 * drafts it releases), each with its state: published as is, a draft changing a published item,
 * or a new draft.
 */
export function workspaceItems(drafts: Draft[], current: Release | undefined): WorkspaceItem[] {
  const byId = new Map<string, WorkspaceItem>();
  const n = current?.releaseNumber;
  for (const item of current?.items ?? []) {
    byId.set(`${item.kind}/${item.key}`, { kind: item.kind, key: item.key, content: item.content, state: { label: 'published', text: `published in release ${n}` } });
  }
  for (const draft of drafts) {
    const published = current?.items.find((i) => i.kind === draft.kind && i.key === draft.key);
    const state: ItemState = !published ? { label: 'new', text: 'new draft, not published' }
      : published.contentHash === hashOf(draft.content) ? { label: 'published', text: `draft equal to release ${n}` }
        : { label: 'changed', text: `draft changing release ${n}` };
    byId.set(`${draft.kind}/${draft.key}`, { kind: draft.kind, key: draft.key, content: draft.content, draft, state });
  }
  return [...byId.values()].sort((a, b) => (a.kind === b.kind ? a.key.localeCompare(b.key) : a.kind.localeCompare(b.kind)));
}
