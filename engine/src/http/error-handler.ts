import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { ConfigurationInputError } from '../modules/configuration';
import { PricingInputError } from '../modules/pricing';
import { connectionLost, contentionOf } from '../lib/transaction';
import { DomainError, problem, type ErrorCode, type FieldError, type Problem } from './errors';

type AjvIssue = { instancePath: string; keyword: string; message?: string; params: Record<string, unknown> };

/** Fastify/ajv validation issues as named fields: `body/lines/0/quantity` + the rule broken. */
export function fieldErrors(context: string | undefined, issues: AjvIssue[]): FieldError[] {
  return issues.map((issue) => {
    let pointer = issue.instancePath;
    if (issue.keyword === 'required' && typeof issue.params.missingProperty === 'string') {
      pointer += `/${issue.params.missingProperty}`;
    }
    if (issue.keyword === 'additionalProperties' && typeof issue.params.additionalProperty === 'string') {
      pointer += `/${issue.params.additionalProperty}`;
    }
    // Fastify calls the query part 'querystring'; the problem contract says query/... .
    const part = context === 'querystring' ? 'query' : (context ?? 'body');
    const field = `${part}${pointer}`;
    const message =
      issue.keyword === 'additionalProperties' ? 'is not an allowed property' : (issue.message ?? 'is invalid');
    return { field, rule: issue.keyword, message };
  });
}

export type Classified = {
  code: ErrorCode; detail: string; errors?: FieldError[];
  /** Not stored as an Idempotency-Key's answer (DomainError.transient). */
  transient?: boolean;
};

/**
 * Every failure as one error code: the error handler answers with it, and the idempotency
 * layer uses it to tell a refusal (4xx, remembered for replays) from a crash. The pure cores'
 * typed input errors are mapped here, once, so no service or route has to translate them.
 */
export function classify(raw: unknown): Classified {
  if (raw instanceof DomainError) {
    return { code: raw.code, detail: raw.message, ...(raw.errors.length ? { errors: raw.errors } : {}), ...(raw.transient ? { transient: true } : {}) };
  }
  if (raw instanceof ConfigurationInputError) {
    return { code: 'configuration-input', detail: raw.message, errors: [{ field: `body/${raw.field}`, rule: raw.code, message: raw.message }] };
  }
  if (raw instanceof PricingInputError) {
    return { code: 'pricing-input', detail: raw.message, errors: [{ field: raw.field, rule: raw.code, message: raw.message }] };
  }
  if (!(raw instanceof Error)) return { code: 'internal', detail: '' };
  // Contention met outside a transaction runner (the idempotency claim, a read on a full pool,
  // a lock timeout): a refusal to retry, never a 500.
  const contention = contentionOf(raw);
  if (contention === 'deadlock' || contention === 'lock-timeout') {
    return { code: 'concurrent-update', detail: 'another command changed this resource at the same moment; read it again and retry' };
  }
  if (contention === 'pool-wait' || contention === 'expired') return { code: 'busy', detail: 'the engine is at capacity; nothing was changed, retry shortly' };
  if (contention === 'connection-lost') return { code: 'dependency-unavailable', detail: connectionLost().message };
  const error = raw as FastifyError;
  if (error.validation) {
    const errors = fieldErrors(error.validationContext, error.validation as AjvIssue[]);
    return { code: 'validation-failed', detail: errors.map((e) => `${e.field} ${e.message}`).join('; '), errors };
  }
  switch (error.code) {
    case 'FST_ERR_CTP_INVALID_MEDIA_TYPE':
      return { code: 'unsupported-media-type', detail: 'send application/json' };
    case 'FST_ERR_CTP_BODY_TOO_LARGE':
      return { code: 'payload-too-large', detail: error.message };
    case 'FST_ERR_CTP_EMPTY_JSON_BODY':
      return { code: 'malformed-body', detail: 'the body is empty but Content-Type is application/json' };
    case 'FST_ERR_CTP_INVALID_JSON_BODY':
      return { code: 'malformed-body', detail: error.message };
  }
  if (error instanceof SyntaxError && error.statusCode === 400) return { code: 'malformed-body', detail: error.message };
  if (error.statusCode === 404) return { code: 'not-found', detail: error.message };
  if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) {
    return { code: 'validation-failed', detail: error.message };
  }
  return { code: 'internal', detail: '' };
}

/** Seconds a client should wait before retrying a 503 (Retry-After): the refusals that say "not now". */
export const RETRY_AFTER_SECONDS = 1;

export function sendProblem(request: FastifyRequest, reply: FastifyReply, body: Problem): FastifyReply {
  if (body.status === 503 && !reply.hasHeader('retry-after')) reply.header('retry-after', String(RETRY_AFTER_SECONDS));
  return reply
    .status(body.status)
    .type('application/problem+json')
    .send({ ...body, instance: request.url, correlationId: String(request.id) });
}

/**
 * Errors of Fastify's router, before any route runs (Fastify's `frameworkErrors` option): a path
 * segment longer than the router's maxParamLength (100) or a URL that does not decode. They
 * answered Fastify's own JSON, not problem+json (found by openapi-fuzz.int.test.ts).
 */
export function frameworkErrorHandler(error: FastifyError, request: FastifyRequest, reply: FastifyReply): FastifyReply {
  const detail = error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'a path segment is longer than 100 characters' : 'the URL is not valid';
  return sendProblem(request, reply, problem('validation-failed', detail, { errors: [{ field: 'params', rule: error.code === 'FST_ERR_MAX_PARAM_LENGTH' ? 'maxLength' : 'format', message: detail }] }));
}

/** One place that turns every failure into RFC 9457 problem+json; 500s carry no internals. */
export function registerErrorHandling(app: FastifyInstance): void {
  app.setErrorHandler((error: FastifyError, request, reply) => {
    const { code, detail, errors } = classify(error);
    if (code === 'internal') {
      request.log.error({ err: error }, 'unhandled error');
      return sendProblem(request, reply, problem('internal'));
    }
    request.log.info({ code, detail }, 'request refused');
    return sendProblem(request, reply, problem(code, detail, errors ? { errors } : {}));
  });
  app.setNotFoundHandler((request, reply) =>
    sendProblem(request, reply, problem('not-found', `no route ${request.method} ${request.url.split('?')[0]}`)),
  );
}
