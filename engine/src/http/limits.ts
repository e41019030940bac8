import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyRequest, RouteOptions } from 'fastify';
import type { Redis } from 'ioredis';
import { DomainError } from './errors';
import { knownPrincipal } from './principal';

/**
 * The engine's limits against bad input and abuse (ADR 0021): body size per route class, JSON
 * nesting depth, and request rates per tenant+user (per client IP where nobody is signed in yet,
 * the token endpoint above all).
 */
export type LimitSettings = {
  /** Bodies of the metadata API (drafts carry whole BPMN/DMN models and price books). */
  metadataBodyBytes: number;
  /** Bodies of every other route (quote, order, account commands, tokens, tenants). */
  commandBodyBytes: number;
  /** Deepest JSON nesting a body may have (objects and arrays); deeper is a 400 before parsing. */
  jsonMaxDepth: number;
  /** Requests per minute per tenant+user on authenticated routes; 0 turns rate limiting off. */
  userPerMinute: number;
  /**
   * The same for service principals (`service:*`, POST /auth/token): the workers and target
   * systems drive every order's steps through one principal per tenant, so their budget is a
   * runaway guard, not a person's.
   */
  servicePerMinute: number;
  /** Requests per minute per client IP on POST /auth/token (client-secret guessing). */
  tokenPerMinutePerIp: number;
};

/** The route class of a route: which body limit applies. */
export function bodyLimitOf(url: string, settings: LimitSettings): number {
  return url.startsWith('/metadata/') ? settings.metadataBodyBytes : settings.commandBodyBytes;
}

/** Operational routes a probe or a scraper calls: never rate limited (they have their own guards). */
export const UNLIMITED = new Set(['/health/live', '/health/ready', '/metrics', '/openapi.json']);
const TOKEN_ROUTE = '/auth/token';

/**
 * The nesting depth of a JSON text, scanned without parsing (brackets outside strings), so a
 * body of a million `[` is refused in linear time before JSON.parse or ajv recurse into it.
 * Returns the first depth above `max`, or the deepest depth seen when it stays within.
 */
export function jsonDepth(text: string, max = Number.POSITIVE_INFINITY): number {
  let depth = 0;
  let deepest = 0;
  let inString = false;
  for (let i = 0; i < text.length; i += 1) {
    const c = text.charCodeAt(i);
    if (inString) {
      if (c === 92 /* \ */) i += 1;
      else if (c === 34 /* " */) inString = false;
      continue;
    }
    if (c === 34) inString = true;
    else if (c === 123 /* { */ || c === 91 /* [ */) {
      depth += 1;
      if (depth > deepest) {
        deepest = depth;
        if (deepest > max) return deepest;
      }
    } else if (c === 125 /* } */ || c === 93 /* ] */) depth -= 1;
  }
  return deepest;
}

/** 400 naming the rule when a JSON body nests deeper than allowed. */
export function assertJsonDepth(text: string, max: number): void {
  if (jsonDepth(text, max) > max) {
    throw new DomainError('validation-failed', `the body nests deeper than ${max} levels`, [
      { field: 'body', rule: 'max-depth', message: `must not nest objects and arrays deeper than ${max} levels` },
    ]);
  }
}

/** Who a request counts against: the signed-in tenant+user, else the client's address. */
export function rateLimitKey(request: FastifyRequest): string {
  const principal = knownPrincipal(request);
  return principal ? `user:${principal.tenantId}:${principal.userId}` : `ip:${request.ip}`;
}

/**
 * Registers the limits. Call before any route: body limits are set per route as it is added.
 * The rate check runs at preParsing, after the routes' onRequest authentication (so it knows the
 * tenant and user) and before the body is read. Counters live in Redis (shared by every API
 * process); when Redis is down the check lets the request through (skipOnError): the limit is a
 * guard against a runaway client, not a reason to fail every request while Redis recovers.
 */
export async function registerLimits(app: FastifyInstance, settings: LimitSettings, redis: Redis): Promise<void> {
  app.addHook('onRoute', (route: RouteOptions) => {
    route.bodyLimit ??= bodyLimitOf(route.url, settings);
    if (UNLIMITED.has(route.url)) route.config = { ...(route.config as object), rateLimit: false } as typeof route.config;
    else if (route.url === TOKEN_ROUTE && settings.tokenPerMinutePerIp > 0) {
      route.config = { ...(route.config as object), rateLimit: { max: settings.tokenPerMinutePerIp, keyGenerator: (r: FastifyRequest) => `token-ip:${r.ip}` } } as typeof route.config;
    }
  });
  if (settings.userPerMinute === 0 && settings.tokenPerMinutePerIp === 0) return;
  await app.register(rateLimit, {
    // Off for every route but the token endpoint when the per-user limit is 0.
    global: settings.userPerMinute > 0,
    hook: 'preParsing',
    max: (request: FastifyRequest) => (knownPrincipal(request)?.userId.startsWith('service:') ? settings.servicePerMinute : settings.userPerMinute),
    timeWindow: 60_000,
    redis,
    nameSpace: 'cpq-rate-limit:',
    skipOnError: true,
    keyGenerator: rateLimitKey,
    errorResponseBuilder: (_request, context) =>
      new DomainError('rate-limited', `more than ${context.max} requests in a minute; retry in ${context.after}`),
  });
}
