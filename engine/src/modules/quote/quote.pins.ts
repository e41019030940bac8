/**
 * Which release each quote's current revision is pinned to, remembered per process: a command
 * that edits a quote needs the compiled release before its transaction (ADR 0013), and reading
 * the pin costs a round trip on every command. The pin changes only when a revision is made
 * (revise); the transaction's lock checks the remembered one (`PinnedReleaseMoved`), and the
 * frame then reads it again. Bounded, oldest first out.
 */
export function createPinnedReleases(capacity = 20_000) {
  const pins = new Map<string, string>();
  const key = (tenantId: string, quoteId: string) => `${tenantId}:${quoteId}`;
  return {
    get: (tenantId: string, quoteId: string) => pins.get(key(tenantId, quoteId)),
    set(tenantId: string, quoteId: string, releaseId: string) {
      const k = key(tenantId, quoteId);
      pins.delete(k);
      pins.set(k, releaseId);
      if (pins.size > capacity) pins.delete(pins.keys().next().value!);
    },
    forget: (tenantId: string, quoteId: string) => void pins.delete(key(tenantId, quoteId)),
  };
}

export type PinnedReleases = ReturnType<typeof createPinnedReleases>;
