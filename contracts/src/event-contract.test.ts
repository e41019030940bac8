import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { stringify } from 'yaml';
import { loadEventContract } from './event-contract';
import { PLATFORM_TOPICS } from './topics';

const contract = loadEventContract();

const quoteCreated = {
  eventId: '0193a0f0-0000-7000-8000-000000000001',
  eventType: 'QuoteCreated',
  eventVersion: 1,
  tenantId: 'telco',
  aggregateType: 'QUOTE',
  aggregateId: '8f7b',
  aggregateVersion: 1,
  occurredAt: '2026-12-03T10:20:00Z',
  correlationId: 'corr-1',
  causationId: 'idem-key-0001',
  actor: { type: 'USER', id: 'u-123' },
  payload: { quoteId: '8f7b', revision: 1, accountId: 'acct-1', ownerId: 'u-123', releaseId: 'r-1', currency: 'EUR', termMonths: 24 },
};
const withPayload = (changes: Record<string, unknown>) => ({ ...quoteCreated, payload: { ...quoteCreated.payload, ...changes } });
const without = (field: string) => {
  const { [field]: _gone, ...payload } = quoteCreated.payload as Record<string, unknown>;
  return { ...quoteCreated, payload };
};

describe('event contract (AsyncAPI validator)', () => {
  it('declares every event type once, each on a platform topic', () => {
    expect(contract.eventTypes).toContain('QuoteCreated');
    expect(contract.eventTypes).toContain('TenantRegistered');
    expect(contract.eventTypes).not.toContain('DeadLetter');
    const platformTopics = PLATFORM_TOPICS.map((t) => t.topic);
    for (const eventType of contract.eventTypes) {
      expect(contract.topicsOf(eventType), eventType).toHaveLength(1);
      expect(platformTopics, eventType).toContain(contract.topicsOf(eventType)[0]);
    }
  });

  it('accepts an event that matches its message, on its topic', () => {
    expect(contract.check(quoteCreated, 'cpq.quote.events')).toEqual({ ok: true });
  });

  it.each([
    ['a missing payload field', without('releaseId'), "/payload must have required property 'releaseId'"],
    ['a payload field of the wrong type', withPayload({ termMonths: '24' }), '/payload/termMonths must be integer'],
    ['an undeclared payload field', withPayload({ floorPrice: '10.00' }), '/payload must NOT have additional properties (floorPrice)'],
    ['the wrong aggregate type', { ...quoteCreated, aggregateType: 'RELEASE' }, '/aggregateType must be equal to constant'],
    ['a broken envelope', { ...quoteCreated, eventId: 'not-a-uuid' }, '/eventId must match format "uuid"'],
    ['an envelope without causationId', { ...quoteCreated, causationId: undefined }, "/ must have required property 'causationId'"],
    ['an event type the contract does not declare', { ...quoteCreated, eventType: 'QuoteTeleported' }, '/eventType "QuoteTeleported" is not an event of the AsyncAPI contract'],
  ])('refuses %s', (_label, event, error) => {
    const result = contract.check(JSON.parse(JSON.stringify(event)));
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toContain(error);
  });

  it('refuses an event on a topic that does not carry it', () => {
    expect(contract.check(quoteCreated, 'cpq.release.events')).toEqual({
      ok: false, errors: ['topic cpq.release.events does not carry QuoteCreated (the contract publishes it to cpq.quote.events)'],
    });
  });

  it('refuses a contract whose message name and eventType disagree', () => {
    const dir = mkdtempSync(join(tmpdir(), 'asyncapi-'));
    writeFileSync(join(dir, 'bad.yaml'), stringify({
      asyncapi: '3.0.0', channels: {},
      components: { messages: { QuoteCreated: { name: 'QuoteCreated', payload: { type: 'object', properties: { eventType: { const: 'QuoteMade' } } } } } },
    }));
    expect(() => loadEventContract(join(dir, 'bad.yaml'))).toThrow('message QuoteCreated is named QuoteCreated but declares eventType QuoteMade');
  });
});
