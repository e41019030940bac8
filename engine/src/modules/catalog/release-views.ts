import { createReleaseView, type ReleaseView } from '@cpq/metadata';
import { DomainError } from '../../http/errors';
import type { CurrentReleasePointer, ReleaseHeader, ReleaseStore } from './release-store';

/**
 * Compiled views of releases, kept per process: a release is immutable, so its view (typed
 * lookups, and every FEEL expression compiled once into closures) is built on first use and
 * reused by every request until evicted. Bounded, least recently used first out.
 */
export function createReleaseViews(store: ReleaseStore, pointer: CurrentReleasePointer, options: { capacity?: number } = {}) {
  const capacity = options.capacity ?? 32;
  const views = new Map<string, Promise<ReleaseView>>();
  // Headers of named releases: immutable once published, so remembered (bounded) instead of
  // read from PostgreSQL on every command that works against a quote's pinned release.
  const headers = new Map<string, ReleaseHeader>();
  async function headerOf(tenantId: string, releaseId: string): Promise<ReleaseHeader | undefined> {
    const key = `${tenantId}:${releaseId}`;
    const known = headers.get(key);
    if (known) return known;
    const header = await store.header(tenantId, releaseId);
    if (header) {
      headers.set(key, header);
      if (headers.size > capacity * 8) headers.delete(headers.keys().next().value!);
    }
    return header;
  }

  async function viewOf(header: ReleaseHeader): Promise<ReleaseView> {
    const key = `${header.releaseId}:${header.contentHash}`;
    let view = views.get(key);
    if (view) {
      views.delete(key);
      views.set(key, view); // most recently used last
      return view;
    }
    view = store.snapshot(header).then((snapshot) => createReleaseView(header, snapshot.items));
    views.set(key, view);
    view.catch(() => views.delete(key));
    while (views.size > capacity) views.delete(views.keys().next().value!);
    return view;
  }

  return {
    /** The release named, or the tenant's current one; 404 problem when there is none. */
    async get(tenantId: string, releaseId?: string): Promise<ReleaseView> {
      const header = releaseId ? await headerOf(tenantId, releaseId) : await pointer.get(tenantId);
      if (!header) {
        throw new DomainError('release-not-found', releaseId ? `no release ${releaseId}` : 'nothing has been published yet');
      }
      return viewOf(header);
    },
    size: () => views.size,
  };
}

export type ReleaseViews = ReturnType<typeof createReleaseViews>;
