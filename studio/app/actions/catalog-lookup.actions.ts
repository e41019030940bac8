'use server';

import type { Draft, Release } from '@/lib/api';
import { callEngine } from '@/lib/engine-client';
import type { Result } from '@/lib/problem';
import type { Characteristic } from '@/components/widgets/characteristics.field';

type Content = Record<string, unknown>;

/** An item's content as the admin is changing it: its draft if there is one, else the current release's. */
async function contentOf(kind: string, key: string, release: () => Promise<Result<Release>>): Promise<Result<Content>> {
  const draft = await callEngine<Draft>('GET', `/metadata/drafts/${encodeURIComponent(kind)}/${encodeURIComponent(key)}`);
  if (draft.ok) return { ok: true, data: draft.data.content };
  if (draft.problem.code !== 'draft-not-found') return draft;
  const current = await release();
  if (!current.ok) return current;
  const item = current.data.items.find((i) => i.kind === kind && i.key === key);
  return item ? { ok: true, data: item.content } : { ok: false, problem: { title: `No ${kind} "${key}"`, status: 404, detail: 'neither a draft nor in the current release' } };
}

/**
 * The characteristics of an offering's specification, for the quote screen layout editor's
 * choices and preview: drafts first (what the admin is changing), else the current release.
 */
export async function offeringCharacteristicsAction(offering: string): Promise<Result<{ specification: string; characteristics: Characteristic[] }>> {
  let release: Promise<Result<Release>> | undefined;
  const current = () => (release ??= callEngine<Release>('GET', '/metadata/releases/current'));
  const found = await contentOf('product-offering', offering, current);
  if (!found.ok) return found;
  const specification = found.data.specification;
  if (typeof specification !== 'string') return { ok: false, problem: { title: `Offering "${offering}" names no specification`, status: 422 } };
  const spec = await contentOf('product-specification', specification, current);
  if (!spec.ok) return spec;
  return { ok: true, data: { specification, characteristics: (spec.data.characteristics as Characteristic[] | undefined) ?? [] } };
}
