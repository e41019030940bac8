import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startThrowawayRedis } from '../../../../test/services/redis-server';
import { buildApp } from '../../app';
import { createInfrastructure, createRedis } from '../../plugins/external/infrastructure';
import { cleanCamunda, publishRelease, tokensFor } from '../../../test/release-fixture';
import { createTestApp, type TestApp } from '../../../test/test-app';

describe('POST /configurations/evaluate (real PostgreSQL, Redis, Camunda)', () => {
  let t: TestApp;
  let tokens: Record<string, string>;
  const tenant = `cfg-${Date.now().toString(36)}`;
  beforeAll(async () => {
    t = await createTestApp('configuration_preview');
    await t.infrastructure.prisma.tenant.createMany({ data: [{ id: tenant, name: 'Cfg' }, { id: `${tenant}-x`, name: 'X' }] });
    await publishRelease(t.app, t.config, tenant);
    tokens = await tokensFor(t.config, { rita: { tenantId: tenant, roles: ['rep'] }, eve: { tenantId: `${tenant}-x`, roles: ['rep'] } });
  }, 120_000);
  afterAll(async () => {
    await cleanCamunda(t.config.camundaUrl, [tenant]);
    await t?.close();
  });

  const evaluate = (payload: object, token = tokens.rita!, app = t.app) =>
    app.inject({ method: 'POST', url: '/configurations/evaluate', payload, headers: { authorization: `Bearer ${token}` } });

  it('explains an invalid configuration, names the rule, and offers a fix; the second call is served from the cache', async () => {
    const body = { offering: 'business-internet', selections: { access: 'copper', bandwidth: 1000 } };
    const first = await evaluate(body);
    expect(first.statusCode).toBe(200);
    expect(first.headers['x-cache']).toBe('miss');
    const result = first.json();
    expect(result.valid).toBe(false);
    expect(result.violations[0]).toMatchObject({ ruleId: 'copper-bandwidth', characteristics: expect.arrayContaining(['bandwidth']) });
    expect(result.violations[0].fixes.length).toBeGreaterThan(0);
    expect(result.normalized.selections.slaTier).toBe('standard'); // default applied
    const second = await evaluate(body);
    expect(second.headers['x-cache']).toBe('hit');
    expect(second.json()).toEqual(result);
  });

  it('with Redis down the result is the same', async () => {
    const body = { offering: 'business-internet', selections: { access: '5g', bandwidth: 2000 } };
    const expected = (await evaluate(body)).json();
    const redisServer = await startThrowawayRedis();
    const infrastructure = await createInfrastructure(t.config, { redis: createRedis(redisServer.url) });
    const app = await buildApp({ config: t.config, infrastructure });
    try {
      await redisServer.stop();
      const res = await evaluate(body, tokens.rita, app);
      expect(res.statusCode).toBe(200);
      expect(res.json()).toEqual(expected);
    } finally {
      await app.close();
      await infrastructure.close();
    }
  });

  it.each([
    ['an unknown offering', { offering: 'no-such-thing', selections: {} }, 422, 'configuration-input'],
    ['selections that are not an object', { offering: 'business-internet', selections: [] }, 400, 'validation-failed'],
    ['an unknown field', { offering: 'business-internet', selections: {}, extra: 1 }, 400, 'validation-failed'],
    ['a release that does not exist', { offering: 'business-internet', selections: {}, releaseId: '00000000-0000-4000-8000-000000000000' }, 404, 'release-not-found'],
  ])('%s: %i %s', async (_label, payload, status, code) => {
    const res = await evaluate(payload);
    expect(res.statusCode).toBe(status);
    expect(res.json().code).toBe(code);
  });

  it('holds the line quantity to the offering\'s maxQuantity as add-line and configure-line do: 422 configuration-input, rule quantity.max, at body/context/quantity', async () => {
    // The sample's Business Internet takes at most 20 per line (ADR 0022 addendum).
    const at = (quantity: number) => evaluate({ offering: 'business-internet', selections: { access: 'fiber', bandwidth: 500 }, context: { quantity } });
    const ok = await at(20);
    expect(ok.statusCode).toBe(200);
    expect(ok.json().valid).toBe(true);
    for (const attempt of [1, 2]) {
      // Twice: the refusal is not a cached result.
      const above = await at(21);
      expect(above.statusCode, `attempt ${attempt}: ${above.body}`).toBe(422);
      expect(above.headers['content-type']).toMatch(/application\/problem\+json/);
      expect(above.json()).toMatchObject({
        code: 'configuration-input', detail: 'business-internet takes at most 20 per line, not 21',
        errors: [{ field: 'body/context/quantity', rule: 'quantity.max', message: 'must be at most 20 (the offering\'s maxQuantity)' }],
      });
    }
    // A saved line above a lowered maximum stays editable, as configure-line keeps it: its own quantity
    // is not held, a change above the maximum is; and the saved quantity changes nothing in the result.
    const saved = (quantity: number, savedQuantity: number) =>
      evaluate({ offering: 'business-internet', selections: { access: 'fiber', bandwidth: 500 }, context: { quantity, savedQuantity } });
    const kept = await saved(25, 25);
    expect(kept.statusCode, kept.body).toBe(200);
    expect((await saved(20, 25)).json()).toEqual(ok.json());
    expect((await saved(26, 25)).json()).toMatchObject({ code: 'configuration-input', errors: [{ field: 'body/context/quantity', rule: 'quantity.max' }] });
    expect((await evaluate({ offering: 'business-internet', selections: {}, context: { quantity: 2, savedQuantity: 0 } })).json())
      .toMatchObject({ status: 400, code: 'validation-failed' });
    // An offering without a maximum (the sample's Managed Router) takes any quantity the contract allows.
    expect((await evaluate({ offering: 'managed-router', selections: {}, context: { quantity: 500, quoteOfferings: ['business-internet'] } })).statusCode).toBe(200);
  });

  it('another tenant has no release here: 404', async () => {
    expect((await evaluate({ offering: 'business-internet', selections: {} }, tokens.eve)).statusCode).toBe(404);
  });
});
