import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';

export const CONTRACTS_DIR = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const OPENAPI_DIR = join(CONTRACTS_DIR, 'openapi');

export type JsonSchema = { [key: string]: unknown };
export type OpenApiParameter = { name: string; in: 'path' | 'query' | 'header' | 'cookie'; required?: boolean; schema: JsonSchema };
export type OpenApiOperation = {
  operationId: string;
  parameters?: (OpenApiParameter | { $ref: string })[];
  requestBody?: { required?: boolean; content: Record<string, { schema: JsonSchema }> };
  responses: Record<string, { $ref?: string; content?: Record<string, { schema: JsonSchema }> }>;
  security?: Record<string, string[]>[];
};
export type OpenApiDocument = {
  openapi: string;
  info: { title: string; version: string; description?: string };
  paths: Record<string, Record<string, OpenApiOperation>>;
  components: {
    schemas: Record<string, JsonSchema>;
    responses: Record<string, { description: string; content?: Record<string, { schema: JsonSchema }> }>;
    securitySchemes?: Record<string, unknown>;
    parameters?: Record<string, OpenApiParameter>;
    headers?: Record<string, { description?: string; required?: boolean; schema: JsonSchema }>;
  };
  [key: string]: unknown;
};

/** Replaces `$ref`s to JSON files (relative to `baseDir`) with the file's content, recursively. */
function inlineFileRefs(node: unknown, baseDir: string): unknown {
  if (Array.isArray(node)) return node.map((item) => inlineFileRefs(item, baseDir));
  if (node === null || typeof node !== 'object') return node;
  const object = node as Record<string, unknown>;
  const ref = object.$ref;
  if (typeof ref === 'string' && !ref.startsWith('#')) {
    const file = resolve(baseDir, ref);
    const { $id: _id, ...schema } = JSON.parse(readFileSync(file, 'utf8')) as JsonSchema;
    return inlineFileRefs(schema, dirname(file));
  }
  return Object.fromEntries(Object.entries(object).map(([key, value]) => [key, inlineFileRefs(value, baseDir)]));
}

/**
 * Every contract in contracts/openapi merged into one document: the engine serves it at
 * /openapi.json and takes each route's validation schemas from it, so the contract and
 * the behaviour cannot drift. Two files defining one path or component name is an error.
 */
export function loadApiDocument(dir = OPENAPI_DIR): OpenApiDocument {
  const files = readdirSync(dir).filter((f) => f.endsWith('.yaml')).sort();
  const merged: OpenApiDocument = {
    openapi: '3.1.0',
    info: { title: 'CPQ/OMS platform API', version: '0.1.0' },
    paths: {},
    components: { schemas: {}, responses: {}, securitySchemes: {}, parameters: {}, headers: {} },
  };
  for (const file of files) {
    const doc = inlineFileRefs(parse(readFileSync(join(dir, file), 'utf8')), dir) as OpenApiDocument;
    for (const [path, item] of Object.entries(doc.paths ?? {})) {
      if (merged.paths[path]) throw new Error(`${file}: path ${path} is already defined by another contract`);
      merged.paths[path] = item;
    }
    for (const kind of ['schemas', 'responses', 'securitySchemes', 'parameters', 'headers'] as const) {
      const target = merged.components[kind] as Record<string, unknown>;
      for (const [name, value] of Object.entries(doc.components?.[kind] ?? {})) {
        if (target[name] && JSON.stringify(target[name]) !== JSON.stringify(value)) {
          throw new Error(`${file}: component ${kind}.${name} differs from another contract's`);
        }
        target[name] = value;
      }
    }
  }
  return merged;
}

/** Each operation with its method and path. */
export function listOperations(doc: OpenApiDocument): { method: string; path: string; operation: OpenApiOperation }[] {
  return Object.entries(doc.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, operation]) => ({ method: method.toUpperCase(), path, operation })),
  );
}
