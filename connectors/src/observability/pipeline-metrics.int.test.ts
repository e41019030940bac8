import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createPrismaClient, poolOf, type PrismaClient } from '@cpq/prisma';
import { createTestDatabase, type TestDatabase } from '@cpq/prisma/test-database';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { testEnv } from '../../../test/env';
import { createTopics, eventually, testKafka, uniqueName } from '../../../test/kafka-helpers';
import { insertOutboxRow } from '../../../test/outbox-rows';
import { createCamundaClient } from '../camunda/camunda-rest.client';
import { createKafkaClient, type KafkaClientName } from '../kafka/kafka.factory';
import type { KafkaClient, KafkaProducer } from '../kafka/kafka.port';
import { registerOutboxMetrics } from '../outbox-relay/outbox-metrics';
import { createOutboxRelay } from '../outbox-relay/outbox-relay';
import { readCamunda, registerCamundaMetrics } from './camunda-metrics';
import { sampleOf } from './exposition';
import { readKafkaPipeline, registerKafkaMetrics } from './kafka-metrics';
import { createMetricsRegistry } from './metrics-registry';
import { startMetricsServer, type MetricsServer } from './metrics-server';
import { registerPoolMetrics } from './pool-metrics';

// The metrics of the roles without an HTTP API (relay, workers), on the real PostgreSQL, Kafka
// and Camunda: each number is made to move by doing what it measures.
const token = 'pipeline-metrics-test-token-0123';
const actor = { type: 'SYSTEM', id: 'test' } as const;

async function scrape(server: MetricsServer, authorization = `Bearer ${token}`): Promise<{ status: number; text: string }> {
  const res = await fetch(`http://127.0.0.1:${server.port}/metrics`, { headers: { authorization } });
  return { status: res.status, text: await res.text() };
}

describe('relay metrics: outbox backlog, publish lag, pool (real PostgreSQL and Kafka)', () => {
  let db: TestDatabase;
  let prisma: PrismaClient;
  let kafka: KafkaClient;
  let producer: KafkaProducer;
  let server: MetricsServer;
  let observe: (occurredAt: Date[]) => void;

  beforeAll(async () => {
    db = await createTestDatabase(testEnv.postgresUrl, 'relay_metrics');
    prisma = createPrismaClient(db.url, { max: 3 });
    kafka = await testKafka();
    producer = await kafka.producer();
    const registry = createMetricsRegistry('relay');
    registerPoolMetrics(registry, poolOf(prisma));
    // Readings are not cached here (0 ms), so every scrape sees the last change.
    observe = registerOutboxMetrics(registry, prisma, 0).observePublished;
    server = await startMetricsServer({ registry, host: '127.0.0.1', port: 0, token });
  });
  afterAll(async () => {
    await server?.close();
    await producer?.close();
    await prisma?.$disconnect();
    await db?.drop();
  });

  it('serves /metrics only with the scrape token, and nothing else', async () => {
    expect((await scrape(server, '')).status).toBe(401);
    expect((await scrape(server, `Bearer ${token}-wrong`)).status).toBe(401);
    expect((await scrape(server)).status).toBe(200);
    expect((await fetch(`http://127.0.0.1:${server.port}/other`, { headers: { authorization: `Bearer ${token}` } })).status).toBe(404);
  });

  it('an outbox backlog shows in the gauge with its age; publishing empties it and records each event\'s lag', async () => {
    const topic = uniqueName('metrics-outbox');
    await createTopics(kafka, [topic], 1);
    const before = await scrape(server);
    expect(sampleOf(before.text, 'cpq_outbox_backlog_events', { role: 'relay' })).toBe(0);
    expect(sampleOf(before.text, 'cpq_outbox_oldest_unpublished_age_seconds')).toBe(0);
    await prisma.$transaction(async (tx) => {
      for (let version = 1; version <= 5; version++) {
        await insertOutboxRow(tx, { eventType: 'ThingHappened', tenantId: 'demo', aggregateType: 'THING', aggregateId: 'metrics-1', aggregateVersion: version,
          correlationId: 'corr-metrics', causationId: 'cmd-metrics', actor, payload: { version }, topic });
      }
    });
    await new Promise((resolve) => setTimeout(resolve, 300));
    const waiting = await scrape(server);
    expect(sampleOf(waiting.text, 'cpq_outbox_backlog_events')).toBe(5);
    expect(sampleOf(waiting.text, 'cpq_outbox_oldest_unpublished_age_seconds')).toBeGreaterThanOrEqual(0.25);

    const relay = createOutboxRelay({ prisma, producer, onPublished: observe });
    expect(await relay.publishBatch()).toBe(5);
    const after = await scrape(server);
    expect(sampleOf(after.text, 'cpq_outbox_backlog_events')).toBe(0);
    expect(sampleOf(after.text, 'cpq_outbox_published_events_total')).toBe(5);
    expect(sampleOf(after.text, 'cpq_outbox_publish_lag_seconds_count')).toBe(5);
    // They waited at least the 300 ms above: none falls in the buckets below it.
    expect(sampleOf(after.text, 'cpq_outbox_publish_lag_seconds_bucket', { le: '0.25' })).toBe(0);
    expect(sampleOf(after.text, 'cpq_db_pool_max_connections', { pool: 'main' })).toBe(3);
  });
});

describe.each(['kafkajs', 'platformatic'] as KafkaClientName[])('consumer lag and dead letters from the broker (%s)', (client) => {
  let kafka: KafkaClient;
  beforeAll(async () => {
    kafka = await createKafkaClient(client, { brokers: testEnv.kafkaBrokers, clientId: uniqueName(`lag-${client}`) });
  });

  it('reports how far a group is behind per topic, and how many messages a dead-letter topic holds', async () => {
    const topic = uniqueName('metrics-lag');
    const dlq = `${topic}.dlq`;
    const group = uniqueName('metrics-group');
    await createTopics(kafka, [topic, dlq], 1);
    const producer = await kafka.producer();
    await producer.send(topic, Array.from({ length: 10 }, (_, i) => ({ key: 'k', value: JSON.stringify({ i }) })));
    await producer.send(dlq, [{ key: 'k', value: 'bad-1' }, { key: 'k', value: 'bad-2' }]);
    await producer.close();

    // The group consumes (and commits) four of the ten; its handler fails on the fifth, which
    // stops the consumer without committing it (kafka.port.ts).
    const consumer = await kafka.consumer({ groupId: group, topics: [topic], fromBeginning: true });
    let seen = 0;
    const running = consumer.run(async () => {
      seen += 1;
      if (seen > 4) throw new Error('stop after four');
    });
    await running.catch(() => {});
    await consumer.close().catch(() => {});
    const admin = await kafka.admin();
    try {
      const reading = await eventually(async () => {
        const r = await readKafkaPipeline(admin, [group], [dlq]);
        return r.lag.get(group)?.get(topic) === 6n ? r : undefined;
      });
      expect(reading.deadLetters.get(dlq)).toBe(2n);
      // The same numbers as gauges.
      const registry = createMetricsRegistry('relay');
      registerKafkaMetrics(registry, { admin: async () => admin, groups: [group], deadLetterTopics: [dlq], maxAgeMs: 0 });
      const text = await registry.metrics();
      expect(sampleOf(text, 'cpq_kafka_consumer_lag_messages', { group, topic })).toBe(6);
      expect(sampleOf(text, 'cpq_kafka_dead_letter_messages', { topic: dlq })).toBe(2);
      // A group that never committed anything has no lag to report (and no error).
      expect((await readKafkaPipeline(admin, [uniqueName('never')], [])).lag.get(group)).toBeUndefined();
    } finally {
      await admin.close();
    }
  }, 60_000);
});

describe('Camunda metrics (real Camunda REST)', () => {
  const run = `m${Date.now().toString(36)}${randomBytes(3).toString('hex')}`;
  const processKey = `worker-smoke-${run}`;
  const topic = `test.${run}.metrics`;
  const camunda = createCamundaClient(testEnv.camundaUrl);
  let deploymentId: string | undefined;
  afterAll(async () => {
    if (deploymentId) await camunda.deleteDeployment(deploymentId, true);
  });

  it('a waiting external task shows in the workers\' backlog; failing it with no retries left opens an incident', async () => {
    const fixture = readFileSync(new URL('../../../bpmn/test-fixtures/worker-smoke.bpmn', import.meta.url), 'utf8').replaceAll('"worker-smoke"', `"${processKey}"`);
    deploymentId = (await camunda.deploy({ name: `metrics-${run}`, source: 'connectors/pipeline-metrics.int.test', files: [{ name: 'worker-smoke.bpmn', content: fixture }] })).id;
    await camunda.startProcessByKey(processKey, { businessKey: `${run}-1`, variables: { topic: { value: topic, type: 'String' } } });
    const waiting = await readCamunda(testEnv.camundaUrl);
    expect(waiting.externalTasksWaiting).toBeGreaterThanOrEqual(1);

    // A worker takes the task and reports a failure with no retries left: Camunda opens an incident.
    const locked = await (await fetch(`${testEnv.camundaUrl}/external-task/fetchAndLock`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workerId: `metrics-${run}`, maxTasks: 1, topics: [{ topicName: topic, lockDuration: 30_000 }] }),
    })).json() as { id: string }[];
    expect(locked).toHaveLength(1);
    const failed = await fetch(`${testEnv.camundaUrl}/external-task/${locked[0]!.id}/failure`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ workerId: `metrics-${run}`, errorMessage: 'metrics test: retries exhausted', retries: 0, retryTimeout: 0 }),
    });
    expect(failed.status).toBe(204);
    const mine = await camunda.incidents({ processDefinitionKeyIn: processKey });
    expect(mine).toHaveLength(1);

    const registry = createMetricsRegistry('workers');
    registerCamundaMetrics(registry, { baseUrl: testEnv.camundaUrl, maxAgeMs: 0 });
    const text = await registry.metrics();
    expect(sampleOf(text, 'cpq_camunda_up')).toBe(1);
    expect(sampleOf(text, 'cpq_camunda_incidents_open', { type: 'failedExternalTask' })).toBeGreaterThanOrEqual(1);
  });

  it('says Camunda is down when its REST API does not answer, and counts the failed reading', async () => {
    const registry = createMetricsRegistry('workers');
    registerCamundaMetrics(registry, { baseUrl: 'http://127.0.0.1:1/engine-rest', maxAgeMs: 0, timeoutMs: 500 });
    const text = await registry.metrics();
    expect(sampleOf(text, 'cpq_camunda_up')).toBe(0);
    expect(sampleOf(text, 'cpq_camunda_metrics_errors_total')).toBeGreaterThanOrEqual(1);
  });
});
