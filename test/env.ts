// Where the test suite finds the real services. Defaults match deploy/platform.sh.
export const testEnv = {
  postgresUrl: process.env.TEST_DATABASE_URL ?? 'postgresql://postgres@127.0.0.1:5432/postgres',
  redisUrl: process.env.TEST_REDIS_URL ?? 'redis://127.0.0.1:6379',
  kafkaBrokers: (process.env.TEST_KAFKA_BROKERS ?? '127.0.0.1:9092').split(','),
  camundaUrl: process.env.TEST_CAMUNDA_URL ?? 'http://127.0.0.1:8080/engine-rest',
};
