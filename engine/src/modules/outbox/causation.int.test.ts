import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createQuoteFixture, type QuoteFixture } from '../../../test/quote-fixture';
import { ADMIN_TOKEN } from '../../../test/test-app';

// Seed section 9: every event names the command that caused it (causationId = its
// Idempotency-Key), and each event of an aggregate has its own, increasing version, which is
// what consumers rely on to ignore older events (connectors/src/consumer).
describe('events carry their cause and per-aggregate versions (real PostgreSQL, Camunda)', () => {
  let f: QuoteFixture;
  beforeAll(async () => {
    f = await createQuoteFixture('causation');
  }, 180_000);
  afterAll(async () => {
    await f?.close();
  });

  const eventsOf = (aggregateId: string) =>
    f.t.infrastructure.prisma.outboxEvent.findMany({ where: { aggregateId }, orderBy: { position: 'asc' } });

  it('a quote command\'s events carry its Idempotency-Key; the events of one command have consecutive versions', async () => {
    // given: a priced quote within the rep's authority
    const quoteId = await f.pricedQuote('rita');
    const before = (await eventsOf(quoteId)).length;

    // when: it is submitted with a known key (approved at once: two events from one command)
    const key = `submit-${quoteId}`;
    const res = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/submit-for-approval`, undefined, { 'idempotency-key': key });
    expect(res.status).toBe(200);

    // then: both events name the command; versions go up by one per event, never repeat
    const events = await eventsOf(quoteId);
    expect(events.slice(before).map((e) => [e.eventType, e.causationId])).toEqual([
      ['QuoteSubmittedForApproval', key],
      ['QuoteApproved', key],
    ]);
    const versions = events.map((e) => Number(e.aggregateVersion));
    expect(versions).toEqual(versions.map((_, i) => versions[0]! + i));
  });

  it('a replayed command writes no second event (same key, same cause)', async () => {
    const quoteId = await f.pricedQuote('rita');
    const key = `price-again-${quoteId}`;
    const first = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`, undefined, { 'idempotency-key': key });
    const replay = await f.call('rita', 'POST', `/quotes/${quoteId}/commands/price`, undefined, { 'idempotency-key': key });
    expect([first.status, replay.status]).toEqual([200, 200]);
    expect((await eventsOf(quoteId)).filter((e) => e.causationId === key).map((e) => e.eventType)).toEqual(['QuotePriced']);
  });

  it('tenant registration: the event carries the operator\'s Idempotency-Key', async () => {
    const tenantId = `caused-${Date.now().toString(36)}`;
    const key = `register-${tenantId}`;
    const res = await f.t.app.inject({
      method: 'POST', url: '/admin/tenants', payload: { tenantId, name: 'Caused' },
      headers: { authorization: `Bearer ${ADMIN_TOKEN}`, 'idempotency-key': key },
    });
    expect(res.statusCode).toBe(201);
    expect(await eventsOf(tenantId)).toMatchObject([{ eventType: 'TenantRegistered', causationId: key, aggregateVersion: 1n }]);
  });

  it('no event of the whole file is without a cause (release publish included)', async () => {
    expect(await f.t.infrastructure.prisma.outboxEvent.count({ where: { causationId: null } })).toBe(0);
    expect(await f.t.infrastructure.prisma.outboxEvent.count({ where: { eventType: 'MetadataReleasePublished' } })).toBeGreaterThan(0);
  });
});
