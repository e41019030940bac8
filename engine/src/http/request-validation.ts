import { Ajv, type Options } from 'ajv';
import addFormats from 'ajv-formats';
import type { FastifyInstance } from 'fastify';
import type { OpenApiDocument } from '@cpq/contracts/openapi';
import { componentSchemas } from './contract-routes';
import { DomainError } from './errors';
import { assertJsonDepth } from './limits';

/**
 * PostgreSQL stores no NUL character in text or jsonb: one that reached a query was a 500
 * (found by openapi-fuzz.int.test.ts). Refused at the edge, in the URL (`%00`) and in JSON
 * strings (`\u0000` not preceded by an escaping backslash).
 */
const NUL_IN_URL = /%00/i;
const NUL_IN_JSON = /(?<!\\)(?:\\\\)*\\u0000/;
const nulRefused = (part: 'query' | 'params' | 'body') => new DomainError('validation-failed', `the ${part} contains a NUL character`, [
  { field: part, rule: 'no-nul', message: 'must not contain the NUL character (U+0000)' },
]);

function ajvWith(doc: OpenApiDocument, options: Options): Ajv {
  const ajv = new Ajv({ allErrors: true, strict: false, useDefaults: true, removeAdditional: false, ...options });
  (addFormats as unknown as (a: Ajv) => void)(ajv);
  for (const schema of componentSchemas(doc)) ajv.addSchema(schema);
  return ajv;
}

/**
 * Two validators: path, query and headers arrive as text, so they are coerced to the
 * contract's types ("5" -> 5); a JSON body is never coerced, so `"name": 42` is refused
 * rather than silently stored as "42".
 */
export function registerRequestValidation(app: FastifyInstance, doc: OpenApiDocument, jsonMaxDepth = 32): void {
  const strict = ajvWith(doc, { coerceTypes: false });
  const coercing = ajvWith(doc, { coerceTypes: 'array' });
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? strict : coercing).compile(schema));
  app.addHook('onRequest', async (request) => {
    const url = request.raw.url ?? '';
    if (!NUL_IN_URL.test(url)) return;
    const query = url.indexOf('?');
    throw nulRefused(query >= 0 && NUL_IN_URL.test(url.slice(query)) ? 'query' : 'params');
  });
  // JSON is the only body the API accepts; anything else is a 415, not a string to validate.
  app.removeContentTypeParser(['text/plain']);
  // Clients often send Content-Type: application/json with no body on body-less commands
  // (price, submit): that means "no body", not malformed JSON. Routes that need a body still
  // refuse it by validation, naming `body`. Parsing stays Fastify's (proto-poisoning refused).
  // A body nested deeper than jsonMaxDepth is refused before parsing (ADR 0021): ajv and the
  // modules walk bodies recursively, and a deep enough one would overflow the stack (a 500).
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeContentTypeParser('application/json');
  app.addContentTypeParser('application/json', { parseAs: 'string' }, (request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    if (text.trim() === '') return done(null, undefined);
    try {
      assertJsonDepth(text, jsonMaxDepth);
      if (NUL_IN_JSON.test(text)) throw nulRefused('body');
    } catch (error) {
      return done(error as Error, undefined);
    }
    return parseJson(request, text, done);
  });
}
