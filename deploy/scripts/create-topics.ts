// Creates every platform topic (idempotent): run by `npm run platform` and .ci/run.
import { PLATFORM_TOPICS } from '@cpq/contracts/topics';
import { createKafkaClient } from '@cpq/connectors/kafka/kafka.factory';

const brokers = (process.env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',');
const kafka = await createKafkaClient('kafkajs', { brokers, clientId: 'cpq-create-topics' });
const admin = await kafka.admin();
await admin.createTopics(PLATFORM_TOPICS);
await admin.close();
console.log(`topics present: ${PLATFORM_TOPICS.map((t) => t.topic).join(', ')}`);
