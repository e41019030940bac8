import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from './config';

describe('loadConfig', () => {
  it('gives working local defaults outside production', () => {
    const config = loadConfig({});
    expect(config).toMatchObject({ port: 4000, host: '127.0.0.1', kafkaBrokers: ['127.0.0.1:9092'], kafkaClient: 'kafkajs', validateResponses: true });
  });

  it('reads every setting from the environment given', () => {
    const config = loadConfig({
      ENGINE_PORT: '4100', KAFKA_BROKERS: 'a:1, b:2', KAFKA_CLIENT: 'platformatic', CAMUNDA_URL: 'http://c:9/engine-rest',
      PLATFORM_ADMIN_TOKEN: 'x'.repeat(20), HEALTH_CHECK_TIMEOUT_MS: '500',
    });
    expect(config).toMatchObject({ port: 4100, kafkaBrokers: ['a:1', 'b:2'], kafkaClient: 'platformatic', camundaUrl: 'http://c:9/engine-rest', healthCheckTimeoutMs: 500 });
  });

  it('lists every problem at once instead of failing on the first', () => {
    let error: unknown;
    try {
      loadConfig({ ENGINE_PORT: 'eighty', KAFKA_CLIENT: 'rdkafka', DATABASE_URL: 'not a url', NODE_ENV: 'production', LOG_LEVEL: 'loud' });
    } catch (e) {
      error = e;
    }
    expect(error).toBeInstanceOf(ConfigError);
    expect([...(error as ConfigError).problems].sort()).toEqual([
      'AUTH_JWT_SECRET must be set to at least 32 characters',
      'DATABASE_URL must be a URL, got "not a url"',
      'ENGINE_PORT must be an integer from 0 to 65535, got "eighty"',
      'KAFKA_CLIENT must be one of kafkajs, platformatic, got "rdkafka"',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
      'METRICS_TOKEN must be set to at least 16 characters (the Prometheus scrape token)',
      'PLATFORM_ADMIN_TOKEN must be set to at least 16 characters',
      'SERVICE_CLIENTS must list the service clients (the workers at least) in production',
    ]);
  });

  it('has no default admin token in production', () => {
    expect(() => loadConfig({ NODE_ENV: 'production' })).toThrow(/PLATFORM_ADMIN_TOKEN/);
    expect(() => loadConfig({ NODE_ENV: 'production', PLATFORM_ADMIN_TOKEN: 'p'.repeat(32) })).toThrow(/AUTH_JWT_SECRET/);
    const serviceClients = JSON.stringify([{ clientId: 'workers', secretSha256: 'a'.repeat(64), roles: ['integrator'], tenants: ['*'] }]);
    const secrets = { NODE_ENV: 'production', PLATFORM_ADMIN_TOKEN: 'p'.repeat(32), AUTH_JWT_SECRET: 's'.repeat(32), SERVICE_CLIENTS: serviceClients };
    // The scrape token has no default in production either (ADR 0018).
    expect(() => loadConfig(secrets)).toThrow(/METRICS_TOKEN/);
    expect(loadConfig({ ...secrets, METRICS_TOKEN: 'm'.repeat(24) }).validateResponses).toBe(false);
  });

  it('reads the scrape token and the business-signal settings; a development default outside production only', () => {
    expect(loadConfig({}).metricsToken).toBe('dev-metrics-scrape-token-0123456789');
    const config = loadConfig({ METRICS_TOKEN: 't'.repeat(20), QUOTE_STUCK_BEFORE_PRICING_SECONDS: '900', METRICS_SIGNALS_MAX_AGE_MS: '0' });
    expect(config).toMatchObject({ metricsToken: 't'.repeat(20), quoteStuckBeforePricingSeconds: 900, metricsSignalsMaxAgeMs: 0 });
    expect(() => loadConfig({ METRICS_TOKEN: 'short' })).toThrow(/METRICS_TOKEN must be set to at least 16 characters/);
  });
});
