import { createPrismaClient, type PrismaClient } from '@cpq/prisma';
import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../test/env';
import { writeOutboxEvent, type NewEvent } from '../src/modules/outbox';
import { outboxContractViolations } from './outbox-contract-check';

const tenantRegistered = (payload: Record<string, unknown>, overrides: Partial<NewEvent> = {}): NewEvent => ({
  eventType: 'TenantRegistered', tenantId: 'acme', aggregateType: 'TENANT', aggregateId: 'acme', aggregateVersion: 1,
  // Deliberately any payload: these tests write events that break the contract to see them caught.
  correlationId: 'corr-1', causationId: 'idem-key-0001', actor: { type: 'USER', id: 'platform-admin' }, payload: payload as NewEvent['payload'], ...overrides,
});

describe('the test fixture checks every outbox row against the AsyncAPI contract (real PostgreSQL)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;

  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'outbox-contract');
    prisma = createPrismaClient(db.url);
  });
  afterAll(async () => {
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('passes events that match, and names each row that does not, with the rule it breaks', async () => {
    // given: one good event, and three the contract refuses
    await prisma.$transaction(async (tx) => {
      await writeOutboxEvent(tx, tenantRegistered({ tenantId: 'acme', name: 'Acme' }));
      await writeOutboxEvent(tx, tenantRegistered({ tenantId: 'acme' }, { aggregateId: 'no-name' }));
      await writeOutboxEvent(tx, tenantRegistered({ tenantId: 'acme', name: 'Acme', internalNote: 'x' }, { aggregateId: 'extra' }));
      await writeOutboxEvent(tx, tenantRegistered({ tenantId: 'acme', name: 'Acme' }, { aggregateId: 'elsewhere', topic: 'cpq.quote.events' }));
    });
    expect(await outboxContractViolations(prisma)).toEqual([
      expect.stringMatching(/^TenantRegistered \(outbox position \d+, aggregate TENANT no-name\): \/payload must have required property 'name'$/),
      expect.stringMatching(/^TenantRegistered \(outbox position \d+, aggregate TENANT extra\): \/payload must NOT have additional properties \(internalNote\)$/),
      expect.stringMatching(/^TenantRegistered \(outbox position \d+, aggregate TENANT elsewhere\): topic cpq.quote.events does not carry TenantRegistered/),
    ]);
  });

  it('an event without causationId (written around the writer; the contract allows null only for history) is reported', async () => {
    await prisma.$executeRaw`
      INSERT INTO outbox_event (event_id, event_type, event_version, tenant_id, aggregate_type, aggregate_id,
        aggregate_version, occurred_at, correlation_id, actor, payload, topic)
      VALUES (gen_random_uuid(), 'TenantRegistered', 1, 'acme', 'TENANT', 'uncaused', 1, now(), 'c-1',
        '{"type":"USER","id":"u-1"}', '{"tenantId":"acme","name":"Acme"}', 'cpq.tenant.events')`;
    expect((await outboxContractViolations(prisma)).filter((v) => v.includes('uncaused'))).toEqual([
      expect.stringMatching(/aggregate TENANT uncaused\): \/causationId is null: pass the command id, causing event id or run id$/),
    ]);
  });

  it('an event whose aggregate version is not above the previous one of its aggregate is reported', async () => {
    // given: versions 1, 2, 2 (a writer that forgot to bump) and 1 again (older) of one aggregate
    await prisma.$transaction(async (tx) => {
      for (const version of [1, 2, 2, 1]) {
        await writeOutboxEvent(tx, tenantRegistered({ tenantId: 'acme', name: 'Acme' }, { aggregateId: 'versions', aggregateVersion: version }));
      }
    });
    expect((await outboxContractViolations(prisma)).filter((v) => v.includes('TENANT versions'))).toEqual([
      expect.stringMatching(/\/aggregateVersion 2 is not above 2 of the aggregate's previous event \(outbox position \d+\): consumers would ignore it as stale$/),
      expect.stringMatching(/\/aggregateVersion 1 is not above 2 of the aggregate's previous event/),
    ]);
  });

  it('the writer itself refuses an event without causationId', async () => {
    await expect(prisma.$transaction((tx) => writeOutboxEvent(tx, { ...tenantRegistered({ tenantId: 'acme', name: 'Acme' }), causationId: '' })))
      .rejects.toThrow('outbox event TenantRegistered has no causationId');
  });
});
