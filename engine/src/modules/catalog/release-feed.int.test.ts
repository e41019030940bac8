import { randomUUID } from 'node:crypto';
import { createOutboxRelay } from '@cpq/connectors/outbox-relay/outbox-relay';
import { createKafkaClient } from '@cpq/connectors/kafka/kafka.factory';
import { sampleCatalog } from '@cpq/metadata/samples';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { eventually } from '../../../../test/kafka-helpers';
import { buildEngine, type EngineApp } from '../../app';
import { issueToken } from '../../http/auth';
import { createInfrastructure, type Infrastructure } from '../../plugins/external/infrastructure';
import { cleanCamunda } from '../../../test/release-fixture';
import { createTestApp, type TestApp } from '../../../test/test-app';
import { startReleaseFeed } from './release-feed';

describe('every engine instance follows published releases (outbox -> Kafka -> each instance)', () => {
  let a: TestApp;
  let bInfra: Infrastructure;
  let b: EngineApp;
  const tenant = `feed-${Date.now().toString(36)}`;

  beforeAll(async () => {
    a = await createTestApp('release_feed');
    // Instance B: a second engine on the same database, with its own Kafka consumer group.
    bInfra = await createInfrastructure(a.config);
    b = await buildEngine({ config: a.config, infrastructure: bInfra });
    await a.infrastructure.prisma.tenant.create({ data: { id: tenant, name: 'Feed' } });
  }, 120_000);
  afterAll(async () => {
    await cleanCamunda(a.config.camundaUrl, [tenant]);
    await b?.app.close();
    await bInfra?.close();
    await a?.close();
  });

  it('an instance that did not publish moves its pointer when the event arrives', async () => {
    const feed = await startReleaseFeed(bInfra.kafka, b.releasePointer, b.app.log);
    const kafka = await createKafkaClient('kafkajs', { brokers: a.config.kafkaBrokers, clientId: 'feed-test-relay' });
    const producer = await kafka.producer();
    const relay = createOutboxRelay({ prisma: a.infrastructure.prisma, producer, pollIntervalMs: 50 });
    try {
      // Give B's fresh group (reading from the latest offset) time to join before publishing.
      await new Promise((resolve) => setTimeout(resolve, 4000));
      relay.start();
      const alice = await issueToken(a.config.auth, { userId: 'alice', tenantId: tenant, roles: ['admin'] });
      const bob = await issueToken(a.config.auth, { userId: 'bob', tenantId: tenant, roles: ['admin'] });
      const post = (token: string, url: string, payload?: object) =>
        a.app.inject({ method: 'POST', url, payload, headers: { authorization: `Bearer ${token}`, 'idempotency-key': `feed-${randomUUID()}` } }).then((r) => r.json());
      for (const item of sampleCatalog()) await post(alice, '/metadata/drafts', item);
      const candidate = await post(alice, '/metadata/release-candidates', { title: 'Feed' });
      await post(alice, `/metadata/release-candidates/${candidate.candidateId}/commands/request-review`);
      await post(bob, `/metadata/release-candidates/${candidate.candidateId}/commands/approve`);
      expect(b.releasePointer.peek(tenant)).toBeUndefined();
      const release = await post(bob, `/metadata/release-candidates/${candidate.candidateId}/commands/publish`);
      expect(release.releaseNumber).toBe(1);

      const seen = await eventually(async () => b.releasePointer.peek(tenant), 30_000);
      expect(seen).toMatchObject({ releaseId: release.releaseId, releaseNumber: 1, contentHash: release.contentHash });
    } finally {
      await relay.stop();
      await producer.close();
      await feed.close();
    }
  }, 120_000);
});
