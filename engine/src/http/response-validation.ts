import { Ajv, type ValidateFunction } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import type { OpenApiDocument } from '@cpq/contracts/openapi';
import { componentSchemas } from './contract-routes';

/**
 * Checks every JSON response against the status code's schema in the contract before it is
 * serialised. Fastify's serializer alone would silently drop unknown fields and coerce the
 * rest, hiding a handler that breaks its contract; here it fails loudly (a 500 that names
 * nothing outward, and an error log naming the route and the violation).
 */
export function registerResponseValidation(app: FastifyInstance, doc: OpenApiDocument): void {
  const ajv = new Ajv({ allErrors: true, strict: false });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  for (const schema of componentSchemas(doc)) ajv.addSchema(schema);
  const cache = new Map<string, ValidateFunction | null>();

  app.addHook('preSerialization', async (request, reply, payload) => {
    const schemas = (request.routeOptions.schema?.response ?? {}) as Record<string, unknown>;
    const status = String(reply.statusCode);
    const key = `${request.routeOptions.url}|${request.method}|${status}`;
    let validate = cache.get(key);
    if (validate === undefined) {
      const schema = schemas[status];
      validate = schema ? ajv.compile(schema as object) : null;
      cache.set(key, validate);
    }
    if (validate && !validate(payload)) {
      request.log.error({ route: key, violations: validate.errors }, 'response breaks its contract');
      throw new Error(`response for ${key} breaks its contract`);
    }
    return payload;
  });
}
