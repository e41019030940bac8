import { listOperations, loadApiDocument, type OpenApiDocument } from '@cpq/contracts/openapi';
import { expect } from 'vitest';

let contract: OpenApiDocument | undefined;

/** The response an operation's contract declares for a status, its `$ref` resolved. */
export function declaredResponse(doc: OpenApiDocument, operationId: string, status: number) {
  const found = listOperations(doc).find((o) => o.operation.operationId === operationId);
  if (!found) throw new Error(`no operation ${operationId} in the contract`);
  const spec = found.operation.responses[String(status)];
  const name = spec?.$ref?.split('/').pop();
  return { ref: spec?.$ref, response: name ? doc.components.responses[name] : spec };
}

/**
 * A real 429 or 503 of `operationId` as its contract declares it: a Retry-After of whole seconds,
 * at least 1 (RFC 9110 delay-seconds), and the operation's response for that status names the
 * header (contracts/openapi: `#/components/headers/RetryAfter`). Returns the seconds.
 */
export function expectRetryAfterAsContracted(operationId: string, status: 429 | 503, headers: Record<string, unknown>): number {
  const value = headers['retry-after'];
  expect(value, 'Retry-After').toMatch(/^[1-9][0-9]*$/);
  contract ??= loadApiDocument();
  const { response } = declaredResponse(contract, operationId, status);
  expect((response as { headers?: Record<string, unknown> } | undefined)?.headers?.['Retry-After'], `${operationId} ${status} declares Retry-After`)
    .toEqual({ $ref: '#/components/headers/RetryAfter' });
  return Number(value);
}
