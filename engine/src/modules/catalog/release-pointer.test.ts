import { describe, expect, it } from 'vitest';
import { createCurrentReleasePointer, type ReleaseHeader, type ReleaseStore } from './release-store';

const header = (releaseNumber: number): ReleaseHeader => ({
  releaseId: `r${releaseNumber}`, tenantId: 'acme', releaseNumber, contentHash: String(releaseNumber).repeat(64).slice(0, 64),
  baseReleaseId: null, itemCount: 1, publishedBy: 'a', approvedBy: 'b', publishedAt: '2026-11-27T00:00:00.000Z', camundaDeploymentId: null,
});

function fakeStore(latest: () => ReleaseHeader | undefined) {
  let reads = 0;
  const store = { latest: async () => { reads += 1; return latest(); } } as unknown as ReleaseStore;
  return { store, reads: () => reads };
}

describe('current release pointer', () => {
  it('moves forward only: an old or repeated event changes nothing', () => {
    const pointer = createCurrentReleasePointer(fakeStore(() => undefined).store);
    expect(pointer.advance(header(2))).toBe(true);
    expect(pointer.advance(header(1))).toBe(false);
    expect(pointer.advance(header(2))).toBe(false);
    expect(pointer.peek('acme')?.releaseNumber).toBe(2);
  });

  it('answers from memory while fresh, and re-checks PostgreSQL once an entry is older than maxAgeMs', async () => {
    let clock = 0;
    let inDatabase = header(1);
    const { store, reads } = fakeStore(() => inDatabase);
    const pointer = createCurrentReleasePointer(store, { maxAgeMs: 1000, now: () => clock });
    expect((await pointer.get('acme'))?.releaseNumber).toBe(1);
    expect(reads()).toBe(1);
    inDatabase = header(2); // published while this instance missed the event
    clock = 500;
    expect((await pointer.get('acme'))?.releaseNumber).toBe(1);
    expect(reads()).toBe(1);
    clock = 1500;
    expect((await pointer.get('acme'))?.releaseNumber).toBe(2);
    expect(reads()).toBe(2);
  });
});
