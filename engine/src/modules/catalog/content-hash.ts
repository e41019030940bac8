import { createHash } from 'node:crypto';
import canonicalize from 'canonicalize';

/**
 * Hashes over RFC 8785 canonical JSON (sorted keys, one number format), so the same content
 * always gives the same hash whatever the key order it was written in.
 */
export function canonicalJson(value: unknown): string {
  const text = (canonicalize as unknown as (v: unknown) => string | undefined)(value);
  if (text === undefined) throw new Error('value cannot be serialised canonically');
  return text;
}

export const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export const itemHash = (content: unknown) => sha256(canonicalJson(content));

/** A release's hash: over its items' (kind, key, hash), in (kind, key) order. */
export function releaseHash(items: { kind: string; key: string; contentHash: string }[]): string {
  const ordered = [...items]
    .sort((a, b) => (a.kind === b.kind ? (a.key < b.key ? -1 : a.key > b.key ? 1 : 0) : a.kind < b.kind ? -1 : 1))
    .map(({ kind, key, contentHash }) => ({ kind, key, contentHash }));
  return sha256(canonicalJson(ordered));
}
