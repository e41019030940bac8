import { describe, expect, it } from 'vitest';
import { loadNotificationsConfig, NotificationsConfigError } from './notifications.config';

const SECRET = 'whsec-0123456789abcdef0123456789abcdef';

describe('loadNotificationsConfig', () => {
  it('reads the environment with defaults', () => {
    const config = loadNotificationsConfig({ WEBHOOK_URL: 'https://hooks.example/cpq', WEBHOOK_SECRET: SECRET });
    expect(config).toMatchObject({
      kafkaBrokers: ['127.0.0.1:9092'], kafkaClient: 'kafkajs', consumerMaxAttempts: 5,
      webhook: { url: 'https://hooks.example/cpq', secret: SECRET, timeoutMs: 5_000, maxAttempts: 8 },
      dispatch: { batchSize: 10, pollIntervalMs: 500 },
    });
  });

  it('reports every problem at once, without echoing the secret', () => {
    let error: unknown;
    try {
      loadNotificationsConfig({ WEBHOOK_URL: 'ftp://x', WEBHOOK_SECRET: 'short-secret', WEBHOOK_TIMEOUT_MS: 'soon', KAFKA_CLIENT: 'rdkafka' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(NotificationsConfigError);
    expect((error as NotificationsConfigError).problems).toEqual([
      'KAFKA_CLIENT must be one of kafkajs, platformatic, got "rdkafka"',
      'WEBHOOK_URL must be an http(s) URL',
      'WEBHOOK_SECRET is required, at least 32 characters',
      'WEBHOOK_TIMEOUT_MS must be an integer from 100 to 120000, got "soon"',
    ]);
    expect((error as Error).message).not.toContain('short-secret');
  });
});
