import type { KafkaClient, KafkaProducer } from '@cpq/connectors/kafka/kafka.port';
import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTopics, eventually, testKafka, uniqueName } from '../../../../test/kafka-helpers';
import { createOrderFixture, type OrderFixture } from '../../../test/order-fixture';
import { consumerContext, createOrderConsumer } from './order.consumer';

// QuoteAccepted on Kafka -> the order of that revision, through the idempotent consumer (inbox
// and consumer_position, ADR 0004): a redelivery and an order the explicit command made first
// change nothing. Real Kafka (a topic of this run), PostgreSQL and Camunda.
describe('orders from QuoteAccepted on Kafka', () => {
  let f: OrderFixture;
  let kafka: KafkaClient;
  let producer: KafkaProducer;
  let consumer: ReturnType<typeof createOrderConsumer>;
  const topic = uniqueName('test.cpq.quote.events');
  const name = uniqueName('orders-test');
  const started: string[] = [];

  beforeAll(async () => {
    f = await createOrderFixture('order_consumer');
    kafka = await testKafka();
    await createTopics(kafka, [topic, `${topic}.dlq`], 2);
    producer = await kafka.producer();
    consumer = createOrderConsumer({
      name, topics: [topic], prisma: f.t.infrastructure.prisma, kafka, maxAttempts: 2, fromBeginning: true,
      onOrderCreated: async (orderId, event) => {
        started.push(orderId);
        await f.t.orders.startFulfillment(orderId, consumerContext(event));
      },
    });
    void consumer.run();
  });
  afterAll(async () => {
    await consumer?.stop();
    await producer?.close();
    await f?.close();
  });

  const prisma = () => f.t.infrastructure.prisma;
  /** An event the engine wrote to the outbox, as the relay sends it. */
  async function outboxEvent(quoteId: string, eventType: string): Promise<EventEnvelope> {
    const row = await prisma().outboxEvent.findFirstOrThrow({ where: { aggregateId: quoteId, eventType } });
    return {
      eventId: row.eventId, eventType: row.eventType, eventVersion: row.eventVersion, tenantId: row.tenantId, aggregateType: row.aggregateType,
      aggregateId: row.aggregateId, aggregateVersion: Number(row.aggregateVersion), occurredAt: row.occurredAt.toISOString(),
      correlationId: row.correlationId, causationId: row.causationId, actor: row.actor as EventEnvelope['actor'], payload: row.payload as Record<string, unknown>,
    };
  }
  const publish = (event: EventEnvelope) => producer.send(topic, [{ key: event.aggregateId, value: JSON.stringify(event), headers: { 'event-id': event.eventId } }]);

  it('creates the order (source event) once, though the event arrives twice, and starts its fulfillment after the commit', async () => {
    const quoteId = await f.acceptedQuote();
    const event = await outboxEvent(quoteId, 'QuoteAccepted');
    await publish(event);
    await publish(event);
    const order = (await eventually(async () => prisma().customerOrder.findFirst({ where: { quoteId } }), 30_000, 200))!;
    expect(order).toMatchObject({ quoteRevision: 1, source: 'event', createdBy: 'system:order-consumer' });
    await eventually(async () => (await prisma().inboxMessage.count({ where: { consumer: name, eventId: event.eventId } })) === 1, 10_000);
    const inProgress = await eventually(async () => (await prisma().customerOrder.findUnique({ where: { id: order.id } }))?.state === 'in-progress', 30_000, 200);
    expect(inProgress).toBe(true);
    expect(started.filter((id) => id === order.id)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1000));
    expect(await prisma().customerOrder.count({ where: { quoteId } })).toBe(1);
    const created = await prisma().outboxEvent.findFirstOrThrow({ where: { aggregateId: order.id, eventType: 'OrderCreated' } });
    // The event that caused it is the order's cause (seed section 9).
    expect(created.causationId).toBe(event.eventId);
    expect(created.actor).toEqual({ type: 'SYSTEM', id: 'system:order-consumer' });
  });

  it('an order the explicit command made first is left alone: no second order, no second start', async () => {
    const quoteId = await f.acceptedQuote();
    const orderId = await f.createOrder(quoteId);
    const event = await outboxEvent(quoteId, 'QuoteAccepted');
    await publish(event);
    await eventually(async () => (await prisma().inboxMessage.count({ where: { consumer: name, eventId: event.eventId } })) === 1, 30_000, 200);
    expect(await prisma().customerOrder.count({ where: { quoteId } })).toBe(1);
    expect(started).not.toContain(orderId);
  });

  it('ignores other quote events (inbox row only)', async () => {
    const quoteId = await f.pricedQuote();
    const event = await outboxEvent(quoteId, 'QuotePriced');
    await publish(event);
    await eventually(async () => (await prisma().inboxMessage.count({ where: { consumer: name, eventId: event.eventId } })) === 1, 30_000, 200);
    expect(await prisma().customerOrder.count({ where: { quoteId } })).toBe(0);
  });

});
