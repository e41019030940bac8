import { describe, expect, it } from 'vitest';
import { loadTargetSystemsConfig, TargetSystemsConfigError } from './target-systems.config';

describe('loadTargetSystemsConfig', () => {
  it('reads the environment with defaults: port 4100, the field service answering by callback', () => {
    expect(loadTargetSystemsConfig({})).toMatchObject({
      host: '127.0.0.1', port: 4100, latencyMs: 0, failureRate: 0, asyncSystems: ['field-service'], callbackDelayMs: 200,
      engineUrl: 'http://127.0.0.1:4000', credential: undefined,
    });
    expect(loadTargetSystemsConfig({ TARGET_SYSTEMS_ASYNC: 'field-service, billing', TARGET_SYSTEMS_FAILURE_RATE: '0.25', TARGET_SYSTEMS_CLIENT_SECRET: 'x'.repeat(40) }))
      .toMatchObject({ asyncSystems: ['field-service', 'billing'], failureRate: 0.25, credential: { clientId: 'target-systems', clientSecret: 'x'.repeat(40) } });
  });

  it('reports every problem at once, and needs its callback credential in production, without echoing it', () => {
    let error: unknown;
    try {
      loadTargetSystemsConfig({ NODE_ENV: 'production', TARGET_SYSTEMS_PORT: 'high', TARGET_SYSTEMS_FAILURE_RATE: '2', LOG_LEVEL: 'loud' });
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(TargetSystemsConfigError);
    expect((error as TargetSystemsConfigError).problems).toEqual([
      'TARGET_SYSTEMS_FAILURE_RATE must be a number from 0 to 1, got "2"',
      'TARGET_SYSTEMS_CLIENT_SECRET must be set (the target systems\' credential for their callbacks)',
      'TARGET_SYSTEMS_PORT must be an integer from 0 to 65535, got "high"',
      'LOG_LEVEL must be one of fatal, error, warn, info, debug, trace, silent, got "loud"',
    ]);
    expect(() => loadTargetSystemsConfig({ TARGET_SYSTEMS_CLIENT_SECRET: 'short' })).toThrow(/at least 32 characters/);
  });
});
