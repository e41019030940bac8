import type { KafkaClientName } from '../kafka/kafka.factory';

/** The relay process's settings; the only place in the relay that reads `process.env`. */
export type RelayConfig = {
  databaseUrl: string;
  kafkaBrokers: string[];
  kafkaClient: KafkaClientName;
  batchSize: number;
  pollIntervalMs: number;
  logLevel: string;
};

export function loadRelayConfig(env: Record<string, string | undefined> = process.env): RelayConfig {
  const positive = (name: string, fallback: number) => {
    const value = Number(env[name] ?? fallback);
    if (!Number.isInteger(value) || value <= 0) throw new Error(`${name} must be a positive integer, got "${env[name]}"`);
    return value;
  };
  const client = env.KAFKA_CLIENT ?? 'kafkajs';
  if (client !== 'kafkajs' && client !== 'platformatic') throw new Error(`KAFKA_CLIENT must be kafkajs or platformatic, got "${client}"`);
  return {
    databaseUrl: env.DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/cpq',
    kafkaBrokers: (env.KAFKA_BROKERS ?? '127.0.0.1:9092').split(',').map((b) => b.trim()).filter(Boolean),
    kafkaClient: client,
    batchSize: positive('RELAY_BATCH_SIZE', 200),
    pollIntervalMs: positive('RELAY_POLL_INTERVAL_MS', 200),
    logLevel: env.LOG_LEVEL ?? 'info',
  };
}
