import { loadEventContract, type EventContract } from '@cpq/contracts/event-contract';
import type { PrismaClient } from '@cpq/prisma';

let contract: EventContract | undefined;

/**
 * Every outbox row in the database, checked against the AsyncAPI contract (envelope, payload
 * by eventType, topic) and against two writer rules: every event names its cause, and each
 * event of an aggregate has a version above the one before it (consumers ignore the others as
 * stale, ADR 0004). Returns one line per problem, empty when all is well. The test fixture
 * runs it when a test file closes its app, so every integration test checks the events it
 * made the engine write.
 */
export async function outboxContractViolations(prisma: PrismaClient): Promise<string[]> {
  contract ??= loadEventContract();
  const rows = await prisma.outboxEvent.findMany({ orderBy: { position: 'asc' } });
  const last = new Map<string, { version: bigint; position: bigint }>();
  return rows.flatMap((row) => {
    const event = {
      eventId: row.eventId, eventType: row.eventType, eventVersion: row.eventVersion, tenantId: row.tenantId,
      aggregateType: row.aggregateType, aggregateId: row.aggregateId, aggregateVersion: Number(row.aggregateVersion),
      occurredAt: row.occurredAt.toISOString(), correlationId: row.correlationId, causationId: row.causationId,
      actor: row.actor, payload: row.payload,
    };
    const check = contract!.check(event, row.topic);
    const problems = check.ok ? [] : check.errors;
    if (!row.causationId) problems.push('/causationId is null: pass the command id, causing event id or run id');
    const aggregate = `${row.aggregateType}/${row.aggregateId}`;
    const before = last.get(aggregate);
    if (before && row.aggregateVersion <= before.version) {
      problems.push(`/aggregateVersion ${row.aggregateVersion} is not above ${before.version} of the aggregate's previous event (outbox position ${before.position}): consumers would ignore it as stale`);
    }
    if (!before || row.aggregateVersion > before.version) last.set(aggregate, { version: row.aggregateVersion, position: row.position });
    return problems.map((p) => `${row.eventType} (outbox position ${row.position}, aggregate ${row.aggregateType} ${row.aggregateId}): ${p}`);
  });
}
