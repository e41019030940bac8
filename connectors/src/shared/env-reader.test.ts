import { describe, expect, it } from 'vitest';
import { loadRelayConfig } from '../outbox-relay/relay.config';
import { createEnvReader, LOG_LEVELS } from './env-reader';

describe('connector configuration from the environment', () => {
  it('reads values and falls back to defaults', () => {
    const env = createEnvReader({ N: ' 42 ', L: 'a, b,,c', LEVEL: 'debug' });
    expect(env.integer('N', 1, 0, 100)).toBe(42);
    expect(env.integer('MISSING', 7, 0, 100)).toBe(7);
    expect(env.list('L', '')).toEqual(['a', 'b', 'c']);
    expect(env.oneOf('LEVEL', 'info', LOG_LEVELS)).toBe('debug');
    expect(env.problems).toEqual([]);
  });

  it('collects every problem instead of stopping at the first', () => {
    expect(() => loadRelayConfig({ RELAY_BATCH_SIZE: '0', KAFKA_CLIENT: 'rdkafka', DATABASE_URL: 'nope', LOG_LEVEL: 'loud' })).toThrow(
      ['invalid relay configuration:',
        '- DATABASE_URL must be a URL, got "nope"',
        '- KAFKA_CLIENT must be one of kafkajs, platformatic, got "rdkafka"',
        '- RELAY_BATCH_SIZE must be an integer from 1 to 10000, got "0"',
        '- LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"'].join('\n'),
    );
    expect(loadRelayConfig({})).toMatchObject({ kafkaClient: 'platformatic', batchSize: 500, pollIntervalMs: 50, busyPollIntervalMs: 25, maxMessageBytes: 1_000_000, kafkaBrokers: ['127.0.0.1:9092'], logLevel: 'info' });
  });

  it('refuses a claim spacing that is not a whole number of milliseconds from 0 to 60000', () => {
    expect(() => loadRelayConfig({ RELAY_BUSY_POLL_INTERVAL_MS: '-1' })).toThrow('- RELAY_BUSY_POLL_INTERVAL_MS must be an integer from 0 to 60000, got "-1"');
    expect(() => loadRelayConfig({ RELAY_BUSY_POLL_INTERVAL_MS: '2.5' })).toThrow('RELAY_BUSY_POLL_INTERVAL_MS must be an integer');
    expect(loadRelayConfig({ RELAY_BUSY_POLL_INTERVAL_MS: '0' }).busyPollIntervalMs).toBe(0);
  });
});
