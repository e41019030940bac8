/** RFC 9457 problem details as the engine answers them (contracts/schemas/errors/problem.schema.json). */
export type FieldError = { field: string; rule: string; message: string };
export type Problem = { type?: string; title: string; status: number; detail?: string; code?: string; correlationId?: string; errors?: FieldError[] };

export type Result<T> = { ok: true; data: T; etag?: string } | { ok: false; problem: Problem };

/** The version an ETag carries ("3" -> 3). */
export const versionOf = (etag: string | undefined): number | undefined => (etag ? Number(etag.replace(/^W\//, '').replaceAll('"', '')) : undefined);

/**
 * A field of a problem (`body/content/entries/0/price`) as a path inside the item's content
 * (`["entries", "0", "price"]`), or undefined when it is not about the content.
 */
export function contentPath(field: string): string[] | undefined {
  const match = /^(?:body\/)?content(?:\/(.*))?$/.exec(field) ?? /^\/(.*)$/.exec(field);
  if (!match) return undefined;
  return (match[1] ?? '').split('/').filter(Boolean).map((part) => part.replaceAll('~1', '/').replaceAll('~0', '~'));
}
