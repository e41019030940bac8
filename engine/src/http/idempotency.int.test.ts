import { createPrismaClient, Prisma, type PrismaClient } from '@cpq/prisma';
import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { PricingInputError } from '../modules/pricing';
import { DomainError } from './errors';
import { idempotencyKeyOf, requestHash, runIdempotent, runIdempotentOptimistic, type Answer, type IdempotencyScope } from './idempotency';

/**
 * Waits for a signal the first run gives from inside (it holds the key, it holds its answer), or
 * for that run to end first: a run that fails before signalling fails the test at once with its
 * own error (instead of a test timeout and an unhandled rejection); one that returns without
 * signalling fails it too.
 */
function signalOf(signal: Promise<void>, firstRun: Promise<unknown>): Promise<void> {
  return Promise.race([
    signal,
    firstRun.then(() => {
      throw new Error('the first run ended without giving its signal');
    }),
  ]);
}

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
  const register = (id: string) => (answer: Answer) =>
    prisma.$transaction(async (tx) => {
      const row = await tx.tenant.create({ data: { id, name: id } });
      const response = { status: 201, body: { tenantId: row.id } };
      await answer.complete(tx, response);
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
    let claimed!: () => void;
    const inFlight = new Promise<void>((resolve) => (claimed = resolve));
    const slow = runIdempotent(prisma, s, { name: 'three' }, async (answer) => {
      claimed();
      await gate;
      return register('idem-three')(answer);
    });
    // The duplicate must come while the first holds the key: wait for its claim (100 ms was not always enough under load).
    await signalOf(inFlight, slow);
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

  describe('optimistic mode (a command of one transaction: no claim beforehand)', () => {
    const records = (s: IdempotencyScope) => prisma.idempotencyRecord.findMany({ where: { tenantId: s.tenantId, clientId: s.clientId, operation: s.operation, idempotencyKey: s.key } });

    it('stores the answer with the effect; a replay gets it and runs nothing', async () => {
      const s = scope();
      const first = await runIdempotentOptimistic(prisma, s, { name: 'o1' }, register('opt-one'));
      const second = await runIdempotentOptimistic(prisma, s, { name: 'o1' }, register('opt-one'));
      expect(first).toEqual({ status: 201, body: { tenantId: 'opt-one' }, replayed: false });
      expect(second).toEqual({ status: 201, body: { tenantId: 'opt-one' }, replayed: true });
      expect(await effects('opt-one')).toBe(1);
      expect(await records(s)).toEqual([expect.objectContaining({ status: 'completed', responseStatus: 201 })]);
    });

    it('a concurrent duplicate waits for the first to commit and gets its answer: one effect, no 409', async () => {
      const s = scope();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let runs = 0;
      let held!: () => void;
      const answerHeld = new Promise<void>((resolve) => (held = resolve));
      // Both run their transaction; the first holds its answer's index entry until the gate opens.
      const slow = runIdempotentOptimistic(prisma, s, { name: 'o2' }, (answer) => prisma.$transaction(async (tx) => {
        runs += 1;
        await tx.tenant.create({ data: { id: 'opt-two', name: 'x' } });
        await answer.complete(tx, { status: 201, body: { tenantId: 'opt-two' } });
        held();
        await gate;
        return { status: 201, body: { tenantId: 'opt-two' } };
      }));
      // The duplicate must write its answer after the first did, or the first is the one that waits: wait for it (100 ms was not always enough under load).
      await signalOf(answerHeld, slow);
      const duplicate = runIdempotentOptimistic(prisma, s, { name: 'o2' }, (answer) => prisma.$transaction(async (tx) => {
        runs += 1;
        await answer.complete(tx, { status: 201, body: { tenantId: 'second' } });
        return { status: 201, body: { tenantId: 'second' } };
      }));
      await new Promise((resolve) => setTimeout(resolve, 200));
      release();
      expect(await slow).toEqual({ status: 201, body: { tenantId: 'opt-two' }, replayed: false });
      expect(await duplicate).toEqual({ status: 201, body: { tenantId: 'opt-two' }, replayed: true });
      expect(runs).toBe(2);
      expect(await effects('opt-two')).toBe(1);
    });

    it('the same key with another body is a 422', async () => {
      const s = scope();
      await runIdempotentOptimistic(prisma, s, { name: 'o3' }, register('opt-three'));
      await expect(runIdempotentOptimistic(prisma, s, { name: 'other' }, register('opt-three-b'))).rejects.toMatchObject({ code: 'idempotency-key-reused' });
      expect(await effects('opt-three-b')).toBe(0);
    });

    it('a refusal is remembered; a replay whose re-run is refused answers the first success instead', async () => {
      const s = scope();
      await expect(runIdempotentOptimistic(prisma, s, { r: 1 }, async () => { throw new DomainError('conflict', 'not now'); })).rejects.toMatchObject({ code: 'conflict' });
      expect(await runIdempotentOptimistic(prisma, s, { r: 1 }, register('never'))).toMatchObject({ status: 409, replayed: true, body: { code: 'conflict' } });
      expect(await effects('never')).toBe(0);

      const t = scope();
      await runIdempotentOptimistic(prisma, t, { r: 2 }, register('opt-four'));
      // The world moved on: running the command again would now be refused; the key has its answer.
      const replay = await runIdempotentOptimistic(prisma, t, { r: 2 }, async () => { throw new DomainError('conflict', 'state moved on'); });
      expect(replay).toEqual({ status: 201, body: { tenantId: 'opt-four' }, replayed: true });
    });

    it('an unexpected failure leaves no record and no effect, so a retry runs', async () => {
      const s = scope();
      const crash = (answer: Answer) => prisma.$transaction(async (tx) => {
        await tx.tenant.create({ data: { id: 'opt-crash', name: 'x' } });
        await answer.complete(tx, { status: 201, body: {} });
        throw new Error('database fell over');
      });
      await expect(runIdempotentOptimistic(prisma, s, { c: 1 }, crash)).rejects.toThrow('database fell over');
      expect(await records(s)).toEqual([]);
      expect((await runIdempotentOptimistic(prisma, s, { c: 1 }, register('opt-crash'))).replayed).toBe(false);
      expect(await effects('opt-crash')).toBe(1);
    });

    it('a key claimed by the other mode and abandoned (its lease over) is taken over and run', async () => {
      const s = scope();
      await prisma.$executeRaw`INSERT INTO idempotency_record (tenant_id, client_id, operation, idempotency_key, request_hash, status, locked_until)
        VALUES (${s.tenantId}, ${s.clientId}, ${s.operation}, ${s.key}, ${requestHash({ a: 9 })}, 'in-flight', now() - interval '1 minute')`;
      expect(await runIdempotentOptimistic(prisma, s, { a: 9 }, register('opt-taken'))).toEqual({ status: 201, body: { tenantId: 'opt-taken' }, replayed: false });
      expect(await records(s)).toEqual([expect.objectContaining({ status: 'completed' })]);
    });
  });

  it.each([
    [{}, 'idempotency-key-required'],
    [{ 'idempotency-key': 'short' }, 'validation-failed'],
    [{ 'idempotency-key': 'has spaces in it' }, 'validation-failed'],
  ])('header %j is refused with %s', (headers, code) => {
    expect(() => idempotencyKeyOf(headers)).toThrow(expect.objectContaining({ code }));
  });

  describe('claim with the first read (a command that reads before it changes anything)', () => {
    const deferred = { claimWithFirstRead: true };
    const records = (s: IdempotencyScope) => prisma.idempotencyRecord.findMany({ where: { idempotencyKey: s.key } });
    /** Reads the tenant row (the claim goes with it), then registers it in a transaction that stores the answer. */
    const readThenRegister = (id: string, seen: unknown[][] = []) => async (answer: Answer) => {
      seen.push(await answer.read(Prisma.sql`SELECT id, name FROM tenant WHERE id = ${id}`));
      return register(id)(answer);
    };

    it('the key is claimed by the command\'s first read, in the same statement: the read\'s rows come back, the answer is stored, a replay runs nothing after the read', async () => {
      const s = scope();
      const seen: unknown[][] = [];
      await prisma.tenant.create({ data: { id: 'idem-first-read-x', name: 'x' } });
      let readsAfterClaim = 0;
      const first = await runIdempotent(prisma, s, { r: 1 }, async (answer) => {
        // Rows with their types, and none where the read finds none.
        seen.push(await answer.read(Prisma.sql`SELECT id, name, 1::int AS n FROM tenant WHERE id = ${'idem-first-read-x'}`));
        expect(await records(s)).toEqual([expect.objectContaining({ status: 'in-flight' })]);
        readsAfterClaim += (await answer.read(Prisma.sql`SELECT id FROM tenant WHERE id = ${'nobody'}`)).length + 1;
        return register('idem-first-read')(answer);
      }, deferred);
      expect(first).toEqual({ status: 201, body: { tenantId: 'idem-first-read' }, replayed: false });
      expect(seen).toEqual([[{ id: 'idem-first-read-x', name: 'x', n: 1 }]]);
      expect(readsAfterClaim).toBe(1);
      const replay = await runIdempotent(prisma, s, { r: 1 }, readThenRegister('idem-first-read-2', seen), deferred);
      expect(replay).toEqual({ status: 201, body: { tenantId: 'idem-first-read' }, replayed: true });
      expect(await effects('idem-first-read')).toBe(1);
      expect(await effects('idem-first-read-2')).toBe(0);
      expect(await records(s)).toEqual([expect.objectContaining({ status: 'completed', responseStatus: 201 })]);
    });

    it('a concurrent duplicate is stopped at its first read with 409 while the first runs; exactly one effect', async () => {
      const s = scope();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let claimed!: () => void;
      const inFlight = new Promise<void>((resolve) => (claimed = resolve));
      const slow = runIdempotent(prisma, s, { d: 1 }, async (answer) => {
        await answer.read(Prisma.sql`SELECT 1 AS one`);
        claimed();
        await gate;
        return register('idem-first-read-dup')(answer);
      }, deferred);
      await signalOf(inFlight, slow);
      let ranPastRead = false;
      const duplicate = await runIdempotent(prisma, s, { d: 1 }, async (answer) => {
        await answer.read(Prisma.sql`SELECT 1 AS one`);
        ranPastRead = true;
        return register('idem-first-read-dup')(answer);
      }, deferred).catch((e: unknown) => e);
      expect(duplicate).toMatchObject({ code: 'idempotency-in-flight' });
      expect(ranPastRead).toBe(false);
      release();
      expect((await slow).status).toBe(201);
      expect(await effects('idem-first-read-dup')).toBe(1);
    });

    it('a refusal before the first read is stored as the answer (the replay gets it); another body with the key is a 422', async () => {
      const s = scope();
      let runs = 0;
      const refuse = async () => {
        runs += 1;
        throw new DomainError('work-item-not-found', 'no such item');
      };
      await expect(runIdempotent(prisma, s, { q: 1 }, refuse, deferred)).rejects.toMatchObject({ code: 'work-item-not-found' });
      expect(await records(s)).toEqual([expect.objectContaining({ status: 'completed', responseStatus: 404 })]);
      const replay = await runIdempotent(prisma, s, { q: 1 }, refuse, deferred);
      expect(replay).toMatchObject({ status: 404, replayed: true, body: { code: 'work-item-not-found' } });
      expect(runs).toBe(2);
      await expect(runIdempotent(prisma, s, { q: 2 }, readThenRegister('idem-first-read-other'), deferred)).rejects.toMatchObject({ code: 'idempotency-key-reused' });
      expect(await effects('idem-first-read-other')).toBe(0);
    });

    it('a refusal before the first read while another request holds the key is not stored: 409 in flight, and the first one\'s answer stands', async () => {
      const s = scope();
      let release!: () => void;
      const gate = new Promise<void>((resolve) => (release = resolve));
      let claimed!: () => void;
      const inFlight = new Promise<void>((resolve) => (claimed = resolve));
      const slow = runIdempotent(prisma, s, { e: 1 }, async (answer) => {
        await answer.read(Prisma.sql`SELECT 1 AS one`);
        claimed();
        await gate;
        return register('idem-first-read-held')(answer);
      }, deferred);
      await signalOf(inFlight, slow);
      const refused = await runIdempotent(prisma, s, { e: 1 }, async () => {
        throw new DomainError('work-item-not-found', 'gone meanwhile');
      }, deferred).catch((e: unknown) => e);
      expect(refused).toMatchObject({ code: 'idempotency-in-flight' });
      release();
      expect(await slow).toMatchObject({ status: 201, replayed: false });
      expect(await records(s)).toEqual([expect.objectContaining({ status: 'completed', responseStatus: 201 })]);
    });

    it('an unexpected failure after the claim releases the key; one before it leaves nothing behind', async () => {
      const s = scope();
      await expect(runIdempotent(prisma, s, { f: 1 }, async (answer) => {
        await answer.read(Prisma.sql`SELECT 1 AS one`);
        throw new Error('fell over after the read');
      }, deferred)).rejects.toThrow('fell over after the read');
      expect(await records(s)).toEqual([]);
      await expect(runIdempotent(prisma, s, { f: 1 }, async () => {
        throw new Error('fell over before the read');
      }, deferred)).rejects.toThrow('fell over before the read');
      expect(await records(s)).toEqual([]);
      expect(await runIdempotent(prisma, s, { f: 1 }, readThenRegister('idem-first-read-retry'), deferred)).toMatchObject({ status: 201, replayed: false });
    });

    it('two first reads at once: one claims, the other waits for it and reads', async () => {
      const s = scope();
      const result = await runIdempotent(prisma, s, { h: 1 }, async (answer) => {
        const [a, b] = await Promise.all([
          answer.read<{ n: number }>(Prisma.sql`SELECT 1::int AS n`),
          answer.read<{ n: number }>(Prisma.sql`SELECT 2::int AS n`),
        ]);
        return { status: 200, body: { a: a[0]!.n, b: b[0]!.n } };
      }, deferred);
      expect(result).toEqual({ status: 200, body: { a: 1, b: 2 }, replayed: false });
      expect(await records(s)).toEqual([expect.objectContaining({ status: 'completed', responseStatus: 200 })]);
    });

    it('a read that fails takes no claim with it (one statement): the key stays free', async () => {
      const s = scope();
      await expect(runIdempotent(prisma, s, { g: 1 }, async (answer) => {
        await answer.read(Prisma.sql`SELECT 1 / ${0}::int AS boom`);
        return { status: 200, body: {} };
      }, deferred)).rejects.toThrow(/division by zero/);
      expect(await records(s)).toEqual([]);
    });
  });
});
