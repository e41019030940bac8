import { describe, expect, it } from 'vitest';
import { loadWorkerConfig, WorkerConfigError } from './worker.config';

const secret = 'w'.repeat(48);

describe('loadWorkerConfig: the workers\' service credential', () => {
  it('uses the development credential only in development', () => {
    expect(loadWorkerConfig({}).credential).toEqual({ clientId: 'workers', clientSecret: 'dev-only-workers-secret-change-me-0123456789' });
  });

  it.each(['test', 'production'])('requires WORKER_CLIENT_SECRET under NODE_ENV=%s, and holds no signing key', (environment) => {
    expect(() => loadWorkerConfig({ NODE_ENV: environment })).toThrow(WorkerConfigError);
    expect(() => loadWorkerConfig({ NODE_ENV: environment })).toThrow(/WORKER_CLIENT_SECRET must be set/);
    const config = loadWorkerConfig({ NODE_ENV: environment, WORKER_CLIENT_ID: 'workers-eu', WORKER_CLIENT_SECRET: secret, AUTH_JWT_SECRET: 'x'.repeat(40), METRICS_TOKEN: 'm'.repeat(20) });
    expect(config.credential).toEqual({ clientId: 'workers-eu', clientSecret: secret });
    expect(JSON.stringify(config)).not.toContain('x'.repeat(40));
  });

  it('reports a short secret without echoing it', () => {
    const error = (() => {
      try {
        loadWorkerConfig({ NODE_ENV: 'production', WORKER_CLIENT_SECRET: 'short-secret', METRICS_TOKEN: 'm'.repeat(20) });
      } catch (e) {
        return e as WorkerConfigError;
      }
    })();
    expect(error?.problems).toEqual(['WORKER_CLIENT_SECRET must be set to at least 32 characters (the workers\' service credential)']);
    expect(error?.message).not.toContain('short-secret');
  });

  it('serves /metrics on WORKERS_METRICS_PORT with the scrape token; production has no default token; `off` disables it', () => {
    expect(loadWorkerConfig({}).metrics).toEqual({ host: '127.0.0.1', port: 9102, token: 'dev-metrics-scrape-token-0123456789' });
    expect(loadWorkerConfig({ WORKERS_METRICS_PORT: 'off' }).metrics.port).toBeUndefined();
    expect(() => loadWorkerConfig({ WORKERS_METRICS_PORT: 'ninety' })).toThrow(/WORKERS_METRICS_PORT must be a port/);
    expect(() => loadWorkerConfig({ NODE_ENV: 'production', WORKER_CLIENT_SECRET: secret })).toThrow(/METRICS_TOKEN must be set/);
  });
});
