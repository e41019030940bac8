import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * The scrape token: a bearer token that lets its holder read `/metrics` and nothing else
 * (ADR 0018). Compared in constant time over SHA-256 digests, so neither the token's length nor
 * a common prefix leaks through timing.
 */
export function isScrapeAuthorized(authorization: string | undefined, token: string): boolean {
  if (!authorization?.startsWith('Bearer ')) return false;
  const digest = (value: string) => createHash('sha256').update(value).digest();
  return timingSafeEqual(digest(authorization.slice(7)), digest(token));
}

/** Development and tests share this default; production refuses to start without METRICS_TOKEN. */
export const DEVELOPMENT_METRICS_TOKEN = 'dev-metrics-scrape-token-0123456789';
export const MIN_METRICS_TOKEN_LENGTH = 16;

/** The scrape token from METRICS_TOKEN, with the development default outside production; problems are collected. */
export function metricsTokenOf(env: Record<string, string | undefined>, environment: string, problems: string[]): string {
  const token = env.METRICS_TOKEN?.trim() || (environment === 'production' ? '' : DEVELOPMENT_METRICS_TOKEN);
  if (token.length < MIN_METRICS_TOKEN_LENGTH) problems.push(`METRICS_TOKEN must be set to at least ${MIN_METRICS_TOKEN_LENGTH} characters (the Prometheus scrape token)`);
  return token;
}
