import { randomUUID } from 'node:crypto';
import { deadLetterTopicFor } from '@cpq/contracts/topics';
import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import type { KafkaClient, KafkaProducer } from '@cpq/connectors/kafka/kafka.port';
import { createPrismaClient, type PrismaClient } from '@cpq/prisma';
import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { testEnv } from '../../../../test/env';
import { collect, createTopics, eventually, testKafka, uniqueName } from '../../../../test/kafka-helpers';
import { freePort } from '../../../../test/services/redis-server';
import { startWebhookReceiver, type WebhookReceiver } from '../../../../test/services/webhook-receiver';
import { createNotificationConsumer } from './notification.consumer';
import { createNotificationDispatcher, type NotificationDispatcherOptions } from './notification.dispatcher';
import { recordNotifications } from './notification.writer';

const TENANT = 'acme-notify';
const SECRET = 'whsec-0123456789abcdef0123456789abcdef';

function envelope(eventType: string, payload: Record<string, unknown>, aggregateType = 'QUOTE'): EventEnvelope {
  return {
    eventId: randomUUID(), eventType, eventVersion: 1, tenantId: TENANT, aggregateType,
    aggregateId: String(payload.quoteId ?? 'q-1'), aggregateVersion: 1, occurredAt: new Date().toISOString(),
    correlationId: uniqueName('corr'), causationId: null, actor: { type: 'USER', id: 'u-actor' }, payload,
  };
}

const approvalRequested = (quoteId: string = randomUUID()) =>
  envelope('ApprovalRequested', { quoteId, revision: 1, level: 1, role: 'sales-manager', workItemId: `wi-${quoteId.slice(0, 8)}`, dueAt: '2026-12-01T09:00:00Z' }, 'APPROVAL');
const quoteAccepted = (quoteId: string = randomUUID()) =>
  envelope('QuoteAccepted', { quoteId, revision: 2, ownerId: 'u-rep', acceptedBy: 'c-buyer', documentId: 'doc-1', accountId: 'acct-9' });

describe('notifications (real PostgreSQL, Kafka and HTTP receiver)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let kafka: KafkaClient;
  let producer: KafkaProducer;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'notifications');
    prisma = createPrismaClient(db.url);
    await prisma.tenant.create({ data: { id: TENANT, name: 'Acme' } });
    kafka = await testKafka();
    producer = await kafka.producer();
  });
  afterAll(async () => {
    await producer?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });
  beforeEach(async () => {
    receiver = await startWebhookReceiver({ secret: SECRET });
  });
  afterEach(async () => {
    await receiver.stop();
    // Dispatchers take every due row of the database: leave nothing pending for the next test.
    await prisma.$executeRaw`UPDATE notification SET status = 'failed', next_attempt_at = NULL, last_error = 'test ended' WHERE status = 'pending'`;
  });

  const dispatcher = (overrides: Partial<NotificationDispatcherOptions> = {}) =>
    createNotificationDispatcher({
      prisma, url: receiver.url, secret: SECRET, timeoutMs: 1_000, maxAttempts: 5,
      backoff: { initialMs: 20, factor: 2, maxMs: 200, jitter: 0 }, pollIntervalMs: 20, ...overrides,
    });

  /** Records an event's notifications as the consumer would (in a transaction); returns the rows. */
  async function record(event: EventEnvelope) {
    await prisma.$transaction((tx) => recordNotifications(tx, event));
    return prisma.notification.findMany({ where: { eventId: event.eventId }, orderBy: { templateKey: 'asc' } });
  }
  const row = (id: string) => prisma.notification.findUniqueOrThrow({ where: { id } });
  /** Runs dispatch rounds until the row is no longer pending. */
  async function dispatchUntilSettled(d: ReturnType<typeof dispatcher>, id: string) {
    return eventually(async () => {
      await d.dispatchBatch();
      const current = await row(id);
      return current.status !== 'pending' && current;
    }, 20_000, 30);
  }

  it('an ApprovalRequested event delivered twice on Kafka gives one notification row and one webhook delivery', async () => {
    // given: the event twice on the approval topic, a QuoteAccepted on the quote topic, then an
    // event nobody is notified of (same key, so it comes after the duplicate)
    const quoteTopic = uniqueName('notif-quote');
    const approvalTopic = uniqueName('notif-approval');
    await createTopics(kafka, [quoteTopic, approvalTopic]);
    const requested = approvalRequested();
    const accepted = quoteAccepted();
    const ignored = envelope('QuoteCreated', { quoteId: requested.aggregateId }, 'APPROVAL');
    const message = { key: requested.aggregateId, value: JSON.stringify(requested) };
    await producer.send(approvalTopic, [message, message, { key: requested.aggregateId, value: JSON.stringify(ignored) }]);
    await producer.send(quoteTopic, [{ key: accepted.aggregateId, value: JSON.stringify(accepted) }]);

    // when: the notifications consumer reads both topics
    const name = uniqueName('notifications');
    const consumer = createNotificationConsumer({ name, topics: [quoteTopic, approvalTopic], prisma, kafka });
    const running = consumer.run();
    await eventually(async () => (await prisma.inboxMessage.count({ where: { consumer: name } })) === 3);
    await consumer.stop();
    await running;

    // then: one row for the request, two for the acceptance, none for the ignored event
    const rows = await prisma.notification.findMany({ where: { eventId: requested.eventId } });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      tenantId: TENANT, eventType: 'ApprovalRequested', templateKey: 'approval-requested', templateVersion: 1,
      recipientType: 'role', recipientId: 'sales-manager', channel: 'webhook', status: 'pending', attempts: 0,
      subject: `Approval needed: quote ${requested.aggregateId} revision 1 (level 1)`,
    });
    expect((await prisma.notification.findMany({ where: { eventId: accepted.eventId }, orderBy: { templateKey: 'asc' } }))
      .map((n) => [n.templateKey, n.recipientType, n.recipientId])).toEqual([['quote-accepted-account', 'account', 'acct-9'], ['quote-accepted-owner', 'user', 'u-rep']]);
    expect(await prisma.notification.count({ where: { eventId: ignored.eventId } })).toBe(0);
    expect(await prisma.inboxMessage.findMany({ where: { consumer: name }, select: { eventType: true }, orderBy: { eventType: 'asc' } }))
      .toEqual([{ eventType: 'ApprovalRequested' }, { eventType: 'QuoteAccepted' }, { eventType: 'QuoteCreated' }]);

    // when: the dispatcher delivers
    const result = await dispatcher().dispatchBatch();

    // then: one delivery per row, the request's exactly once, signed and keyed
    expect(result).toEqual({ claimed: 3, delivered: 3, retried: 0, failed: 0, lost: 0 });
    const mine = receiver.requests.filter((r) => r.eventId === requested.eventId);
    expect(mine).toHaveLength(1);
    expect(mine[0]).toMatchObject({ idempotencyKey: rows[0]!.id, signatureValid: true, response: 200, duplicate: false });
    expect(mine[0]!.headers).toMatchObject({ 'content-type': 'application/json', 'x-cpq-event-type': 'ApprovalRequested', 'x-cpq-delivery-attempt': '1' });
    expect(receiver.deliveries.find((d) => d.idempotencyKey === rows[0]!.id)!.json).toEqual({
      notificationId: rows[0]!.id, tenantId: TENANT, eventId: requested.eventId, eventType: 'ApprovalRequested',
      template: { key: 'approval-requested', version: 1 }, recipient: { type: 'role', id: 'sales-manager' },
      channel: 'webhook', subject: rows[0]!.subject, body: rows[0]!.body, contentType: 'text/plain',
      payload: { correlationId: requested.correlationId, occurredAt: requested.occurredAt, data: { ...requested.payload, dueAt: '2026-12-01T09:00:00.000Z' } }, // dates normalised to UTC ISO
      createdAt: rows[0]!.createdAt.toISOString(),
    });
    const delivered = await row(rows[0]!.id);
    expect(delivered).toMatchObject({ status: 'delivered', attempts: 1, lastError: null, nextAttemptAt: null });
    expect(delivered.deliveredAt).toBeInstanceOf(Date);

    // and: a replay that bypasses the inbox (a redrive) writes nothing and leaves the delivery alone
    const replay = await prisma.$transaction((tx) => recordNotifications(tx, requested));
    expect(replay).toMatchObject({ handled: true, written: 0, duplicates: 1 });
    expect(await row(rows[0]!.id)).toEqual(delivered);
    expect(await dispatcher().dispatchBatch()).toMatchObject({ claimed: 0 });
  });

  it('a known event with a broken payload is retried, then dead-lettered with the reason; nothing is written', async () => {
    const topic = uniqueName('notif-broken');
    await createTopics(kafka, [topic, deadLetterTopicFor(topic)]);
    const broken = envelope('ApprovalRequested', { quoteId: 'q-broken', revision: 1, level: 1, workItemId: 'wi-1' }, 'APPROVAL');
    const after = approvalRequested('q-broken');
    await producer.send(topic, [{ key: 'q-broken', value: JSON.stringify(broken) }, { key: 'q-broken', value: JSON.stringify(after) }]);
    const consumer = createNotificationConsumer({
      name: uniqueName('notifications'), topics: [topic], prisma, kafka, maxAttempts: 2, backoff: { initialMs: 10, factor: 2, maxMs: 20 },
    });
    const running = consumer.run();
    await eventually(async () => (await prisma.notification.count({ where: { eventId: after.eventId } })) === 1);
    await consumer.stop();
    await running;

    expect(await prisma.notification.count({ where: { eventId: broken.eventId } })).toBe(0);
    const dead = await collect(kafka, deadLetterTopicFor(topic), (m) => m.length >= 1);
    expect(dead.map((m) => JSON.parse(m.value!).eventId)).toEqual([broken.eventId]);
    expect(dead[0]!.headers['dlq-reason']).toBe('handler failed 2 times: ApprovalRequested payload is invalid: /role is required');
  });

  it('the receiver answers 500, then 200: delivered after one retry, attempts 2', async () => {
    const [n] = await record(approvalRequested());
    receiver.script({ kind: 'status', status: 500, body: 'database down' });
    const d = dispatcher();

    expect(await d.dispatchBatch()).toMatchObject({ claimed: 1, retried: 1 });
    expect(await row(n!.id)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'HTTP 500: database down' });

    const settled = await dispatchUntilSettled(d, n!.id);
    expect(settled).toMatchObject({ status: 'delivered', attempts: 2, lastError: null });
    expect(receiver.requests.map((r) => [r.idempotencyKey, r.response, r.headers['x-cpq-delivery-attempt']])).toEqual([[n!.id, 500, '1'], [n!.id, 200, '2']]);
    expect(receiver.deliveries).toHaveLength(1);
  });

  it('the receiver hangs past the timeout (unknown outcome): retried with the same Idempotency-Key, one logical delivery', async () => {
    const [n] = await record(approvalRequested());
    receiver.script({ kind: 'hang', ms: 2_000 });
    const d = dispatcher({ timeoutMs: 300 });

    expect(await d.dispatchBatch()).toMatchObject({ claimed: 1, retried: 1 });
    expect(await row(n!.id)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'no response within 300 ms (outcome unknown)' });

    expect(await dispatchUntilSettled(d, n!.id)).toMatchObject({ status: 'delivered', attempts: 2 });
    const [first, second] = receiver.requests;
    expect(receiver.requests).toHaveLength(2);
    expect(first).toMatchObject({ idempotencyKey: n!.id, response: 'hang', duplicate: false });
    expect(second).toMatchObject({ idempotencyKey: n!.id, response: 200, duplicate: true });
    // the same bytes and signature both times, so the receiver can deduplicate safely
    expect(second!.body).toBe(first!.body);
    expect(second!.headers['x-cpq-signature']).toBe(first!.headers['x-cpq-signature']);
    expect(receiver.deliveries).toEqual([expect.objectContaining({ idempotencyKey: n!.id, times: 2 })]);
  });

  it.each([
    [400, 'failed'], [401, 'failed'], [404, 'failed'], [409, 'failed'], [422, 'failed'],
    [408, 'retried'], [429, 'retried'], [500, 'retried'], [502, 'retried'], [503, 'retried'],
  ] as const)('HTTP %i from the receiver: %s', async (status, expected) => {
    const [n] = await record(approvalRequested());
    receiver.script({ kind: 'status', status, body: `{"error":"scripted ${status}"}` });
    const result = await dispatcher().dispatchBatch();
    expect(result).toMatchObject({ claimed: 1, [expected]: 1 });
    const after = await row(n!.id);
    expect(after).toMatchObject({ attempts: 1, lastError: `HTTP ${status}: {"error":"scripted ${status}"}` });
    if (expected === 'failed') {
      expect(after).toMatchObject({ status: 'failed', nextAttemptAt: null });
    } else {
      expect(after.status).toBe('pending');
      expect(after.nextAttemptAt!.getTime()).toBeGreaterThan(Date.now() - 1_000);
    }
  });

  it('HTTP 400: failed with the reason and never sent again', async () => {
    const [n] = await record(approvalRequested());
    receiver.setDefault({ kind: 'status', status: 400, body: '{"error":"unknown role sales-manager"}' });
    const d = dispatcher();
    expect(await d.dispatchBatch()).toMatchObject({ claimed: 1, failed: 1 });
    await new Promise((resolve) => setTimeout(resolve, 100)); // longer than any back-off of this dispatcher
    expect(await d.dispatchBatch()).toMatchObject({ claimed: 0 });
    expect(await row(n!.id)).toMatchObject({ status: 'failed', attempts: 1, lastError: 'HTTP 400: {"error":"unknown role sales-manager"}', deliveredAt: null });
    expect(receiver.requests).toHaveLength(1);
    expect(receiver.deliveries).toHaveLength(0);
  });

  it('429 with Retry-After waits at least that long', async () => {
    const [n] = await record(approvalRequested());
    receiver.script({ kind: 'status', status: 429, headers: { 'retry-after': '3' } });
    const before = Date.now();
    await dispatcher({ backoff: { initialMs: 10, maxMs: 60_000, jitter: 0 } }).dispatchBatch();
    const after = await row(n!.id);
    expect(after.status).toBe('pending');
    expect(after.nextAttemptAt!.getTime() - before).toBeGreaterThanOrEqual(2_500);
  });

  it('a retryable failure that persists is failed after maxAttempts, with the last reason', async () => {
    const [n] = await record(approvalRequested());
    receiver.setDefault({ kind: 'status', status: 503, body: 'maintenance' });
    const settled = await dispatchUntilSettled(dispatcher({ maxAttempts: 3 }), n!.id);
    expect(settled).toMatchObject({ status: 'failed', attempts: 3, lastError: 'gave up after 3 attempts: HTTP 503: maintenance', nextAttemptAt: null });
    expect(receiver.requests).toHaveLength(3);
  });

  it('a connection error (nobody listening, or the connection dropped) is retried', async () => {
    const [n] = await record(approvalRequested());
    const closed = `http://127.0.0.1:${await freePort()}/hooks/cpq`;
    expect(await dispatcher({ url: closed }).dispatchBatch()).toMatchObject({ retried: 1 });
    expect(await row(n!.id)).toMatchObject({ status: 'pending', attempts: 1, lastError: 'connection error: ECONNREFUSED' });

    receiver.script({ kind: 'reset' });
    const d = dispatcher();
    await eventually(async () => (await row(n!.id)).nextAttemptAt!.getTime() <= Date.now(), 5_000, 20);
    expect(await d.dispatchBatch()).toMatchObject({ retried: 1 });
    expect((await row(n!.id)).lastError).toMatch(/^connection error: /);
    expect(await dispatchUntilSettled(d, n!.id)).toMatchObject({ status: 'delivered', attempts: 3 });
    expect(receiver.deliveries).toHaveLength(1);
  });

  it('a dispatcher with the wrong secret is detected by the receiver: signature refused, nothing delivered', async () => {
    const [n] = await record(approvalRequested());
    const wrongSecret = 'whsec-not-the-receivers-secret-00000000';
    expect(await dispatcher({ secret: wrongSecret }).dispatchBatch()).toMatchObject({ failed: 1 });

    const [request] = receiver.requests;
    expect(request).toMatchObject({ idempotencyKey: n!.id, signatureValid: false, response: 401 });
    const signature = request!.headers['x-cpq-signature']!;
    expect(signature).toMatch(/^sha256=[0-9a-f]{64}$/);
    expect(receiver.verify(request!.body, signature)).toBe(false);
    expect(receiver.verify(request!.body, signature, wrongSecret)).toBe(true); // it is the secret, not the bytes
    expect(receiver.verify(`${request!.body} `, signature, wrongSecret)).toBe(false); // and tampering shows too
    expect(receiver.deliveries).toHaveLength(0);
    expect(await row(n!.id)).toMatchObject({ status: 'failed', lastError: 'HTTP 401: {"error":"invalid signature"}' });
  });

  it('two dispatchers at once deliver each notification exactly once', async () => {
    const events = Array.from({ length: 15 }, () => quoteAccepted());
    for (const event of events) await record(event);
    receiver.setDefault({ kind: 'delay', ms: 30 });
    const a = dispatcher({ batchSize: 4 });
    const b = dispatcher({ batchSize: 4 });
    const claimedBy = { a: 0, b: 0 };
    while ((await prisma.notification.count({ where: { status: 'pending' } })) > 0) {
      const [ra, rb] = await Promise.all([a.dispatchBatch(), b.dispatchBatch()]);
      claimedBy.a += ra.claimed;
      claimedBy.b += rb.claimed;
    }

    expect(claimedBy.a + claimedBy.b).toBe(30);
    expect(claimedBy.a).toBeGreaterThan(0);
    expect(claimedBy.b).toBeGreaterThan(0);
    expect(receiver.requests).toHaveLength(30);
    expect(new Set(receiver.requests.map((r) => r.idempotencyKey)).size).toBe(30);
    expect(receiver.deliveries.every((d) => d.times === 1)).toBe(true);
    const rows = await prisma.notification.findMany({ where: { eventId: { in: events.map((e) => e.eventId) } } });
    expect(rows.map((r) => [r.status, r.attempts])).toEqual(rows.map(() => ['delivered', 1]));
  });

  it('two running dispatcher loops share the work with no duplicate request', async () => {
    const events = Array.from({ length: 10 }, () => approvalRequested());
    for (const event of events) await record(event);
    receiver.setDefault({ kind: 'delay', ms: 10 });
    const loops = [dispatcher({ batchSize: 3 }), dispatcher({ batchSize: 3 })];
    loops.forEach((d) => d.start());
    await eventually(async () => (await prisma.notification.count({ where: { status: 'delivered', eventId: { in: events.map((e) => e.eventId) } } })) === 10);
    await Promise.all(loops.map((d) => d.stop()));
    expect(receiver.requests).toHaveLength(10);
    expect(new Set(receiver.requests.map((r) => r.idempotencyKey)).size).toBe(10);
  });

  it('the evidence of a notification cannot be rewritten, and a delivered one is final', async () => {
    const [n] = await record(approvalRequested());
    await expect(prisma.$executeRaw`UPDATE notification SET body = 'something else' WHERE id = ${n!.id}::uuid`).rejects.toThrow(/immutable/);
    await dispatcher().dispatchBatch();
    await expect(prisma.$executeRaw`UPDATE notification SET status = 'pending', delivered_at = NULL, next_attempt_at = now() WHERE id = ${n!.id}::uuid`)
      .rejects.toThrow(/already delivered/);
    await expect(prisma.$executeRaw`UPDATE notification SET status = 'sent' WHERE id = ${n!.id}::uuid`).rejects.toThrow();
  });
});
