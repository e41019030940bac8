import type { ErrorSchema } from '@rjsf/utils';
import { contentPath, type FieldError } from './problem';

/**
 * The engine's field errors (problem+json `errors`, or candidate issues' pointers) as rjsf's
 * errorSchema, so each message shows next to its field in the generated form.
 */
export function errorSchemaOf(errors: readonly { field: string; message: string }[] | FieldError[]): ErrorSchema {
  const root: Record<string, unknown> = {};
  for (const error of errors) {
    const path = contentPath(error.field);
    if (!path) continue;
    let node = root;
    for (const part of path) node = (node[part] ??= {}) as Record<string, unknown>;
    ((node.__errors ??= []) as string[]).push(error.message);
  }
  return root as ErrorSchema;
}
