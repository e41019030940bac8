import { describe, expect, it } from 'vitest';
import { classify } from './error-handler';

// Contention met outside the transaction runner (the idempotency claim, a read on an exhausted
// pool, a row lock past lock_timeout) is a refusal to retry, never a 500.
describe('classify: contention is a 409 or a 503, never internal', () => {
  const driverError = (code: string, message: string) => Object.assign(new Error('Invalid `prisma.$queryRaw()` invocation'), {
    code: 'P2010', meta: { driverAdapterError: { cause: { originalCode: code, message } } }, cause: { originalCode: code, message },
  });
  it.each([
    ['the pool has no connection within its bound', new Error('timeout exceeded when trying to connect'), 'busy'],
    ['a transaction could not start in time', Object.assign(new Error('Transaction API error: Unable to start a transaction in the given time.'), { code: 'P2028' }), 'busy'],
    ['a row lock past lock_timeout', driverError('55P03', 'canceling statement due to lock timeout'), 'concurrent-update'],
    ['a deadlock', driverError('40P01', 'deadlock detected'), 'concurrent-update'],
    ['a serialization failure', driverError('40001', 'could not serialize access'), 'concurrent-update'],
  ])('%s -> %s', (_label, error, code) => {
    expect(classify(error).code).toBe(code);
  });
  it('anything else unknown stays internal', () => {
    expect(classify(new Error('boom')).code).toBe('internal');
    expect(classify(driverError('23514', 'violates check constraint')).code).toBe('internal');
  });
});
