import { randomUUID } from 'node:crypto';
import type { IncomingMessage } from 'node:http';

export const CORRELATION_HEADER = 'x-correlation-id';
const ACCEPTABLE = /^[A-Za-z0-9._:-]{1,120}$/;

/**
 * The request id *is* the correlation id: taken from X-Correlation-Id when it is sane
 * (so a caller can trace a flow across services), generated otherwise, echoed on every
 * response and written on every log line as `correlationId`.
 */
export function correlationIdOf(request: IncomingMessage): string {
  const given = request.headers[CORRELATION_HEADER];
  const value = Array.isArray(given) ? given[0] : given;
  return value && ACCEPTABLE.test(value) ? value : randomUUID();
}
