import { listOperations, loadApiDocument } from '@cpq/contracts/openapi';
import { describe, expect, it } from 'vitest';
import { declaredResponse } from '../../test/retry-after';
import { UNLIMITED } from './limits';

// Retry-After in the contract (ADR 0021, ADR 0023 addendum): the engine answers every 429 (rate
// limit) and every 503 problem (connection lost, pool exhausted, a dependency down) with
// Retry-After in seconds; the contract says so once, as the RetryAfter header of the shared
// RateLimited and Unavailable responses, which every operation that can answer them refers to.
const contract = loadApiDocument();
const operations = listOperations(contract);
/** Rate-limited (every route but the probes, the scrape and the contract) but touching no dependency: no 503. */
const NO_DEPENDENCY = new Set(['issueServiceToken']);
/** Its 503 is the readiness report (which dependency is down), not a problem to retry. */
const READINESS = 'getReadiness';

describe('Retry-After in the OpenAPI contract', () => {
  it('is one header component: whole seconds, at least 1, on the shared 429 and 503 responses', () => {
    expect(contract.components.headers?.RetryAfter).toMatchObject({ required: true, schema: { type: 'integer', minimum: 1 } });
    for (const name of ['RateLimited', 'Unavailable']) {
      const response = contract.components.responses[name] as { headers?: Record<string, unknown>; content?: Record<string, unknown> };
      expect(response.headers, name).toEqual({ 'Retry-After': { $ref: '#/components/headers/RetryAfter' } });
      expect(Object.keys(response.content ?? {}), name).toEqual(['application/problem+json']);
    }
  });

  it('every rate-limited operation declares 429 RateLimited, and every one that reaches a dependency 503 Unavailable', () => {
    const missing: string[] = [];
    for (const { path, operation } of operations) {
      const id = operation.operationId;
      const limited = !UNLIMITED.has(path);
      const rateLimited = declaredResponse(contract, id, 429).ref;
      if (limited && rateLimited !== '#/components/responses/RateLimited') missing.push(`${id} 429: ${rateLimited}`);
      if (!limited && rateLimited !== undefined) missing.push(`${id} is never rate limited but declares 429`);
      const unavailable = declaredResponse(contract, id, 503).ref;
      if (id === READINESS) continue;
      if (limited && !NO_DEPENDENCY.has(id) && unavailable !== '#/components/responses/Unavailable') missing.push(`${id} 503: ${unavailable}`);
      if ((!limited || NO_DEPENDENCY.has(id)) && unavailable !== undefined) missing.push(`${id} declares a 503 it never answers`);
    }
    expect(missing).toEqual([]);
  });
});
