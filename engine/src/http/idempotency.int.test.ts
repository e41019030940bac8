import { createPrismaClient, type PrismaClient } from '@cpq/prisma';
import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { PricingInputError } from '../modules/pricing';
import { DomainError } from './errors';
import { idempotencyKeyOf, runIdempotent, type CompleteInTransaction, type IdempotencyScope } from './idempotency';

describe('Idempotency-Key (real PostgreSQL)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'idempotency');
    prisma = createPrismaClient(db.url);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  let n = 0;
  const scope = (key = `key-${++n}-abcdef`): IdempotencyScope => ({ tenantId: 'acme', clientId: 'alice', operation: 'register', key });
  /** The effect under test: one tenant row per run, committed with the stored response. */
  const register = (id: string) => (complete: CompleteInTransaction) =>
    prisma.$transaction(async (tx) => {
      const row = await tx.tenant.create({ data: { id, name: id } });
      const response = { status: 201, body: { tenantId: row.id } };
      await complete(tx, response);
      return response;
    });
  const effects = (id: string) => prisma.tenant.count({ where: { id } });

  it('a replay with the same request returns the first response and has no second effect', async () => {
    const s = scope();
    const first = await runIdempotent(prisma, s, { name: 'one' }, register('idem-one'));
    const second = await runIdempotent(prisma, s, { name: 'one' }, register('idem-one'));
    expect(first).toEqual({ status: 201, body: { tenantId: 'idem-one' }, replayed: false });
    expect(second).toEqual({ status: 201, body: { tenantId: 'idem-one' }, replayed: true });
    expect(await effects('idem-one')).toBe(1);
  });

  it('the same key with a different request is a 422 and runs nothing', async () => {
    const s = scope();
    await runIdempotent(prisma, s, { name: 'two' }, register('idem-two'));
    const error = await runIdempotent(prisma, s, { name: 'other' }, register('idem-two-b')).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(DomainError);
    expect(error).toMatchObject({ code: 'idempotency-key-reused' });
    expect(await effects('idem-two-b')).toBe(0);
  });

  it('a concurrent duplicate while the first is in flight gets 409; exactly one effect', async () => {
    const s = scope();
    let release!: () => void;
    const gate = new Promise<void>((resolve) => (release = resolve));
    const slow = runIdempotent(prisma, s, { name: 'three' }, async (complete) => {
      await gate;
      return register('idem-three')(complete);
    });
    await new Promise((resolve) => setTimeout(resolve, 100));
    const duplicate = await runIdempotent(prisma, s, { name: 'three' }, register('idem-three')).catch((e: unknown) => e);
    expect(duplicate).toMatchObject({ code: 'idempotency-in-flight' });
    release();
    expect((await slow).status).toBe(201);
    expect(await effects('idem-three')).toBe(1);
  });

  it('a refusal (4xx) is remembered: the replay gets the same problem, nothing runs again', async () => {
    const s = scope();
    let runs = 0;
    const refuse = async () => {
      runs += 1;
      throw new DomainError('conflict', 'not now');
    };
    await expect(runIdempotent(prisma, s, { x: 1 }, refuse)).rejects.toMatchObject({ code: 'conflict' });
    const replay = await runIdempotent(prisma, s, { x: 1 }, refuse);
    expect(replay).toMatchObject({ status: 409, replayed: true, body: { code: 'conflict', detail: 'not now' } });
    expect(runs).toBe(1);
  });

  it('a pure core\'s typed input error is a refusal too: remembered as its 422 problem', async () => {
    const s = scope();
    let runs = 0;
    const refuse = async () => {
      runs += 1;
      throw new PricingInputError('no-price-book', 'currency', 'no price book in JPY');
    };
    await expect(runIdempotent(prisma, s, { z: 1 }, refuse)).rejects.toBeInstanceOf(PricingInputError);
    const replay = await runIdempotent(prisma, s, { z: 1 }, refuse);
    expect(replay).toMatchObject({ status: 422, replayed: true, body: { code: 'pricing-input', errors: [{ field: 'currency', rule: 'no-price-book' }] } });
    expect(runs).toBe(1);
  });

  it('an unexpected failure releases the key (and rolls back the effect), so a retry runs', async () => {
    const s = scope();
    const crash = () =>
      prisma.$transaction(async (tx) => {
        await tx.tenant.create({ data: { id: 'idem-crash', name: 'x' } });
        throw new Error('database fell over');
      });
    await expect(runIdempotent(prisma, s, { y: 1 }, crash)).rejects.toThrow('database fell over');
    expect(await effects('idem-crash')).toBe(0);
    expect((await runIdempotent(prisma, s, { y: 1 }, register('idem-crash'))).replayed).toBe(false);
    expect(await effects('idem-crash')).toBe(1);
  });

  it('keys are scoped: another client, tenant or operation may use the same key', async () => {
    const key = 'shared-key-123';
    await runIdempotent(prisma, { ...scope(key) }, { a: 1 }, register('idem-s1'));
    await runIdempotent(prisma, { ...scope(key), clientId: 'bob' }, { a: 1 }, register('idem-s2'));
    await runIdempotent(prisma, { ...scope(key), tenantId: 'other' }, { a: 1 }, register('idem-s3'));
    await runIdempotent(prisma, { ...scope(key), operation: 'other-op' }, { a: 1 }, register('idem-s4'));
    expect(await prisma.tenant.count({ where: { id: { in: ['idem-s1', 'idem-s2', 'idem-s3', 'idem-s4'] } } })).toBe(4);
  });

  it.each([
    [{}, 'idempotency-key-required'],
    [{ 'idempotency-key': 'short' }, 'validation-failed'],
    [{ 'idempotency-key': 'has spaces in it' }, 'validation-failed'],
  ])('header %j is refused with %s', (headers, code) => {
    expect(() => idempotencyKeyOf(headers)).toThrow(expect.objectContaining({ code }));
  });
});
