import type { OperationId, ResponseOf, RouteOf } from '@cpq/contracts/api-types';
import type { JsonSchema, OpenApiDocument, OpenApiOperation, OpenApiParameter } from '@cpq/contracts/openapi';
import type { FastifyInstance, FastifyReply, FastifyRequest, FastifySchema } from 'fastify';

const COMPONENT_REF = /^#\/components\/schemas\/([A-Za-z0-9_]+)$/;

/** `#/components/schemas/X` -> `X#`, the id under which registerContractSchemas adds X. */
function rewriteRefs(node: unknown): unknown {
  if (Array.isArray(node)) return node.map(rewriteRefs);
  if (node === null || typeof node !== 'object') return node;
  return Object.fromEntries(
    Object.entries(node).map(([key, value]) => {
      if (key === '$ref' && typeof value === 'string') {
        const match = COMPONENT_REF.exec(value);
        if (!match) throw new Error(`unsupported $ref ${value}`);
        return [key, `${match[1]}#`];
      }
      return [key, rewriteRefs(value)];
    }),
  );
}

/** The contract's component schemas, each with `$id` = its name and refs rewritten to match. */
export function componentSchemas(doc: OpenApiDocument): JsonSchema[] {
  return Object.entries(doc.components.schemas).map(([name, schema]) => ({ ...(rewriteRefs(schema) as JsonSchema), $id: name }));
}

/** Adds every component schema of the contract to Fastify's shared schemas. */
export function registerContractSchemas(app: FastifyInstance, doc: OpenApiDocument): void {
  for (const schema of componentSchemas(doc)) app.addSchema(schema);
}

export function findOperation(doc: OpenApiDocument, operationId: string): { method: string; path: string; operation: OpenApiOperation } {
  for (const [path, item] of Object.entries(doc.paths)) {
    for (const [method, operation] of Object.entries(item)) {
      if (operation.operationId === operationId) return { method: method.toUpperCase(), path, operation };
    }
  }
  throw new Error(`no operation ${operationId} in the contracts`);
}

function resolveParameters(doc: OpenApiDocument, operation: OpenApiOperation): OpenApiParameter[] {
  return (operation.parameters ?? []).map((p) => {
    if (!('$ref' in p)) return p;
    const resolved = doc.components.parameters?.[p.$ref.split('/').pop() ?? ''];
    if (!resolved) throw new Error(`${operation.operationId}: unknown parameter ${p.$ref}`);
    return resolved;
  });
}

function objectOf(params: OpenApiParameter[], lowerCase = false): JsonSchema | undefined {
  if (params.length === 0) return undefined;
  const name = (p: { name: string }) => (lowerCase ? p.name.toLowerCase() : p.name);
  return {
    type: 'object',
    properties: Object.fromEntries(params.map((p) => [name(p), rewriteRefs(p.schema)])),
    required: params.filter((p) => p.required || p.in === 'path').map(name),
  };
}

/** An optional body that was not sent is validated as `{}` (its schema's defaults apply). */
async function defaultOptionalBody(request: FastifyRequest): Promise<void> {
  if (request.body === undefined || request.body === null) request.body = {};
}

export type ContractRoute = {
  method: string;
  url: string;
  schema: FastifySchema;
  preValidation?: (request: FastifyRequest) => Promise<void>;
};

/**
 * A route's validation schemas (params, query, headers, body, responses) taken from its
 * OpenAPI operation: the contract is the single source, never restated in code.
 */
export function routeSchema(doc: OpenApiDocument, operationId: string): ContractRoute {
  const { method, path, operation } = findOperation(doc, operationId);
  const parameters = resolveParameters(doc, operation);
  const schema: FastifySchema = {};
  const params = objectOf(parameters.filter((p) => p.in === 'path'));
  const querystring = objectOf(parameters.filter((p) => p.in === 'query'));
  const headers = objectOf(parameters.filter((p) => p.in === 'header'), true);
  if (params) schema.params = { ...params, additionalProperties: false };
  if (querystring) schema.querystring = { ...querystring, additionalProperties: false };
  if (headers) schema.headers = headers;
  const body = operation.requestBody?.content['application/json']?.schema;
  if (body) schema.body = rewriteRefs(body) as JsonSchema;
  const response: Record<string, unknown> = {};
  for (const [status, spec] of Object.entries(operation.responses)) {
    const resolved = spec.$ref ? doc.components.responses[spec.$ref.split('/').pop() ?? ''] : spec;
    const content = resolved?.content;
    if (!content) continue;
    const media = content['application/json'] ?? content['application/problem+json'];
    if (media) response[status] = rewriteRefs(media.schema);
  }
  schema.response = response;
  const optionalBody = body !== undefined && operation.requestBody?.required !== true;
  return { method, url: path.replace(/\{([^}]+)\}/g, ':$1'), schema, ...(optionalBody ? { preValidation: defaultOptionalBody } : {}) };
}

/** A read handler typed by its operation: params, query and body as the contract declares them. */
export type ContractHandler<Op extends OperationId> = (
  request: FastifyRequest<RouteOf<Op>>,
  reply: FastifyReply<RouteOf<Op>>,
) => Promise<ResponseOf<Op> | FastifyReply<RouteOf<Op>>>;

/**
 * `route('getQuote', handler)`: registers an operation of the contract with its schemas, and
 * types the handler's request and answer from the generated contract types.
 */
export function contractRoutes(app: FastifyInstance, contract: OpenApiDocument) {
  return function route<Op extends OperationId>(operationId: Op, handler: ContractHandler<Op>): void {
    app.route<RouteOf<Op>>({ ...routeSchema(contract, operationId), handler });
  };
}
