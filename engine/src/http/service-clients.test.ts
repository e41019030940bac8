import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { ConfigError, loadConfig } from '../config';
import { authenticateClient, DEVELOPMENT_WORKERS_SECRET, mayActFor, parseServiceClients } from './service-clients';

const hex = (text: string) => createHash('sha256').update(text).digest('hex');
const workers = { clientId: 'workers', secretSha256: hex('s3cret-of-the-workers'), roles: ['integrator'], tenants: ['*'] };
const partner = { clientId: 'partner', secretSha256: hex('partner-secret'), roles: ['integrator', 'rep'], tenants: ['acme', 'globex'] };

describe('service clients (SERVICE_CLIENTS)', () => {
  it('reads the clients, keeping only the secrets\' hashes', () => {
    const problems: string[] = [];
    const clients = parseServiceClients(JSON.stringify([workers, partner]), problems);
    expect(problems).toEqual([]);
    expect(clients.map((c) => [c.clientId, c.roles, c.tenants])).toEqual([['workers', ['integrator'], '*'], ['partner', ['integrator', 'rep'], ['acme', 'globex']]]);
    expect(clients[0]?.secretSha256.toString('hex')).toBe(workers.secretSha256);
  });

  it('authenticates by id and secret; an unknown id and a wrong secret are both refused', () => {
    const clients = parseServiceClients(JSON.stringify([workers, partner]), []);
    expect(authenticateClient(clients, 'workers', 's3cret-of-the-workers')?.clientId).toBe('workers');
    expect(authenticateClient(clients, 'workers', 'partner-secret')).toBeUndefined();
    expect(authenticateClient(clients, 'workers', '')).toBeUndefined();
    expect(authenticateClient(clients, 'nobody', 's3cret-of-the-workers')).toBeUndefined();
    const partnerClient = authenticateClient(clients, 'partner', 'partner-secret');
    expect(partnerClient && mayActFor(partnerClient, 'acme')).toBe(true);
    expect(partnerClient && mayActFor(partnerClient, 'initech')).toBe(false);
  });

  it('reports every broken entry by index and field, never echoing a value', () => {
    const problems: string[] = [];
    const clients = parseServiceClients(JSON.stringify([
      { clientId: 'Bad Id', secretSha256: 'not-hex', roles: ['root'], tenants: [] },
      workers,
      { ...workers, tenants: ['acme', '*'] },
    ]), problems);
    expect(clients.map((c) => c.clientId)).toEqual(['workers']);
    expect(problems).toEqual([
      'SERVICE_CLIENTS[0].clientId must match ^[a-z0-9][a-z0-9._-]{1,63}$',
      'SERVICE_CLIENTS[0].secretSha256 must be the 64 hex digits of the secret\'s SHA-256',
      'SERVICE_CLIENTS[0].roles must be a non-empty list of admin, rep, sales-manager, finance, ops, customer, integrator',
      'SERVICE_CLIENTS[0].tenants must be a non-empty list of tenant ids, or ["*"]',
      'SERVICE_CLIENTS[2].clientId "workers" is listed twice',
      'SERVICE_CLIENTS[2].tenants must be a non-empty list of tenant ids, or ["*"]',
    ]);
    expect(problems.join(' ')).not.toContain('not-hex');
    const notJson: string[] = [];
    expect(parseServiceClients('workers:abc', notJson)).toEqual([]);
    expect(notJson).toEqual(['SERVICE_CLIENTS must be a JSON array of { clientId, secretSha256, roles, tenants }']);
  });

  it('has a development default only in development: none in tests, and production refuses to start without them', () => {
    const development = loadConfig({});
    expect(authenticateClient(development.serviceClients, 'workers', DEVELOPMENT_WORKERS_SECRET)?.roles).toEqual(['integrator']);
    expect(loadConfig({ NODE_ENV: 'test' }).serviceClients).toEqual([]);
    const production = { NODE_ENV: 'production', PLATFORM_ADMIN_TOKEN: 'p'.repeat(32), AUTH_JWT_SECRET: 's'.repeat(32), METRICS_TOKEN: 'm'.repeat(32) };
    expect(() => loadConfig(production)).toThrow(ConfigError);
    expect(() => loadConfig(production)).toThrow(/SERVICE_CLIENTS must list the service clients/);
    const configured = loadConfig({ ...production, SERVICE_CLIENTS: JSON.stringify([workers]) });
    expect(authenticateClient(configured.serviceClients, 'workers', DEVELOPMENT_WORKERS_SECRET)).toBeUndefined();
    expect(configured.serviceTokenTtlSeconds).toBe(900);
  });
});
