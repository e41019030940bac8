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
  it.each([
    ['a backend terminated (pg_terminate_backend, fast shutdown)', driverError('57P01', 'terminating connection due to administrator command')],
    ['a backend crashed', driverError('57P02', 'terminating connection due to crash of another server process')],
    ['a server still starting after a restart or failover', driverError('57P03', 'the database system is starting up')],
    ['a connection failure', driverError('08006', 'connection failure')],
    ['a connection that does not exist', driverError('08003', 'connection does not exist')],
    ['a connection exception', driverError('08000', 'connection exception')],
    ['node-postgres losing the socket', new Error('Connection terminated unexpectedly')],
    ['node-postgres reusing a broken client', new Error('Client has encountered a connection error and is not queryable')],
    ['Prisma: the server cannot be reached', Object.assign(new Error('Can\'t reach database server at 127.0.0.1:5432'), { code: 'P1001' })],
    ['Prisma: the server closed the connection', Object.assign(new Error('Server has closed the connection.'), { code: 'P1017' })],
    ['a refused connection', Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:5432'), { code: 'ECONNREFUSED' })],
  ])('the connection lost: %s -> 503 dependency-unavailable, retry with the same key', (_label, error) => {
    expect(classify(error)).toMatchObject({ code: 'dependency-unavailable', detail: expect.stringContaining('Idempotency-Key') });
  });
  it('anything else unknown stays internal', () => {
    expect(classify(new Error('boom')).code).toBe('internal');
    expect(classify(driverError('23514', 'violates check constraint')).code).toBe('internal');
  });
});
