import type { AddressInfo } from 'node:net';
import { SpanKind } from '@opentelemetry/api';
import { InMemorySpanExporter, type ReadableSpan } from '@opentelemetry/sdk-trace';
import { createIdempotentConsumer } from '@cpq/connectors/consumer/idempotent-consumer';
import { createKafkaClient } from '@cpq/connectors/kafka/kafka.factory';
import { readTracingSettings } from '@cpq/connectors/observability/tracing.config';
import { startTracing, type Tracing } from '@cpq/connectors/observability/tracing';
import { createOutboxRelay } from '@cpq/connectors/outbox-relay/outbox-relay';
import { topicFor } from '@cpq/contracts/topics';
import { Kafka, logLevel, type Consumer } from 'kafkajs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { eventually, uniqueName } from '../../../test/kafka-helpers';
import { createQuoteFixture, internetLine, type QuoteFixture } from '../../test/quote-fixture';

// One command's trace on the real platform (ADR 0019): the HTTP request, its PostgreSQL queries,
// the relay's publication of its event and a consumer's processing of it, with the journey's keys
// as attributes. Relay and consumer run in this process, traced by the same provider.
describe('a command\'s trace: HTTP -> PostgreSQL -> outbox -> Kafka -> consumer', () => {
  const exporter = new InMemorySpanExporter();
  let tracing: Tracing | undefined;
  let f: QuoteFixture;
  let url: string;
  let consumer: Consumer;
  const seen: string[] = [];

  beforeAll(async () => {
    tracing = startTracing(readTracingSettings({}, 'api-test', []), { exporter, simple: true });
    f = await createQuoteFixture('tracing', { OTEL_TRACES_EXPORTER: 'console', METRICS_SIGNALS_MAX_AGE_MS: '0' });
    await f.t.app.listen({ host: '127.0.0.1', port: 0 });
    url = `http://127.0.0.1:${(f.t.app.server.address() as AddressInfo).port}`;
    // A consumer that joined before anything is published (a fresh group starting at the end).
    const kafka = new Kafka({ clientId: uniqueName('trace-consumer'), brokers: testEnv.kafkaBrokers, logLevel: logLevel.NOTHING });
    consumer = kafka.consumer({ groupId: uniqueName('trace-group') });
    await consumer.connect();
    await consumer.subscribe({ topics: [topicFor('QUOTE')], fromBeginning: false });
    const joined = new Promise<void>((resolve) => consumer.on(consumer.events.GROUP_JOIN, () => resolve()));
    const port = await createKafkaClient('kafkajs', { brokers: testEnv.kafkaBrokers, clientId: uniqueName('trace-port') });
    const inbox = createIdempotentConsumer({ name: uniqueName('trace-inbox'), topics: [], prisma: f.t.infrastructure.prisma, kafka: port, handler: async () => {} });
    await consumer.run({
      eachMessage: async ({ topic, partition, message }) => {
        const headers = Object.fromEntries(Object.entries(message.headers ?? {}).map(([k, v]) => [k, String(v)]));
        if (headers['tenant-id'] !== f.tenant) return;
        // The idempotent consumer's inbox write, traced under the message's process span.
        await inbox.process({ topic, partition, offset: message.offset, key: message.key?.toString() ?? null, value: message.value?.toString() ?? null, headers });
        seen.push(headers['event-type']!);
      },
    });
    await joined;
  }, 180_000);
  afterAll(async () => {
    await consumer?.disconnect();
    await f?.t.app.close();
    await f?.close();
    await tracing?.shutdown();
  });

  const attr = (span: ReadableSpan, key: string) => span.attributes[key];
  const isDb = (span: ReadableSpan) => attr(span, 'db.system.name') === 'postgresql' || attr(span, 'db.system') === 'postgresql';

  it('has the request span with tenant, quote and correlation id, its database spans, the event\'s publication and its consumption', async () => {
    const quote = await f.call('rita', 'POST', '/quotes', { accountId: 'acct-1', customerName: 'Trace AG', currency: 'EUR', termMonths: 12 });
    exporter.reset();
    const correlationId = `trace-${Date.now()}`;
    const res = await fetch(`${url}/quotes/${quote.body.quoteId}/lines`, {
      method: 'POST',
      headers: { authorization: `Bearer ${f.tokens.rita}`, 'content-type': 'application/json', 'idempotency-key': `k-${correlationId}`, 'x-correlation-id': correlationId },
      body: JSON.stringify(internetLine()),
    });
    expect(res.status).toBe(201);

    const server = await eventually(async () => exporter.getFinishedSpans().find((s) => s.kind === SpanKind.SERVER && attr(s, 'cpq.correlation_id') === correlationId));
    expect(server.name).toBe('POST /quotes/:quoteId/lines');
    expect(server.attributes).toMatchObject({ 'cpq.operation': 'addQuoteLine', 'cpq.tenant_id': f.tenant, 'cpq.quote_id': quote.body.quoteId, 'http.route': '/quotes/:quoteId/lines' });
    const traceId = server.spanContext().traceId;
    const inTrace = () => exporter.getFinishedSpans().filter((s) => s.spanContext().traceId === traceId);
    // The client's fetch span is the server span's parent: the context crossed HTTP in traceparent.
    expect(inTrace().some((s) => s.kind === SpanKind.CLIENT && s.spanContext().spanId === server.parentSpanContext?.spanId)).toBe(true);
    // Its queries (lock, read, write) are spans of the same trace.
    expect(inTrace().filter(isDb).length).toBeGreaterThanOrEqual(2);

    // The event it wrote carries the trace; the relay publishes it as a child of that trace ...
    const [row] = await f.t.infrastructure.prisma.$queryRaw<{ trace_parent: string | null }[]>`
      SELECT trace_parent FROM outbox_event WHERE event_type = 'QuoteLineAdded' AND aggregate_id = ${quote.body.quoteId} ORDER BY position DESC LIMIT 1`;
    expect(row?.trace_parent).toContain(traceId);
    const producer = await (await createKafkaClient('kafkajs', { brokers: testEnv.kafkaBrokers, clientId: uniqueName('trace-relay') })).producer();
    try {
      const relay = createOutboxRelay({ prisma: f.t.infrastructure.prisma, producer });
      while ((await relay.publishBatch()) > 0);
    } finally {
      await producer.close();
    }
    const publish = inTrace().find((s) => s.name === 'publish QuoteLineAdded');
    expect(publish?.kind).toBe(SpanKind.PRODUCER);
    expect(publish?.attributes).toMatchObject({ 'cpq.tenant_id': f.tenant, 'cpq.aggregate_id': quote.body.quoteId, 'cpq.correlation_id': correlationId });

    // ... and the consumer's processing (with its inbox write in PostgreSQL) continues it.
    await eventually(async () => seen.includes('QuoteLineAdded'), 30_000);
    const processing = await eventually(async () => inTrace().find((s) => s.kind === SpanKind.CONSUMER && s.parentSpanContext?.spanId === publish?.spanContext().spanId));
    expect(processing.attributes['messaging.destination.name']).toBe(topicFor('QUOTE'));
    expect(inTrace().some((s) => isDb(s) && s.parentSpanContext?.spanId === processing.spanContext().spanId)).toBe(true);
  }, 120_000);

  it('does not trace scrapes and health checks', async () => {
    exporter.reset();
    await fetch(`${url}/health/live`);
    await fetch(`${url}/metrics`, { headers: { authorization: `Bearer ${f.t.config.metricsToken}` } });
    await new Promise((resolve) => setTimeout(resolve, 200));
    expect(exporter.getFinishedSpans().filter((s) => s.kind === SpanKind.SERVER)).toEqual([]);
  });
});
