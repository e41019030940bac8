import { describe, expect, it } from 'vitest';
import { checkEnvelope, ENVELOPE_FIELDS } from './event-envelope';
import { loadSchema } from './schemas';

const valid = {
  eventId: '0193a0f0-0000-7000-8000-000000000001',
  eventType: 'QuoteApproved',
  eventVersion: 1,
  tenantId: 'telco',
  aggregateType: 'QUOTE',
  aggregateId: '8f7b',
  aggregateVersion: 12,
  occurredAt: '2026-07-02T10:20:00Z',
  correlationId: 'corr-1',
  causationId: 'cmd-1',
  actor: { type: 'USER', id: 'u-123' },
  payload: { quoteId: '8f7b', quoteRevision: 4 },
};

describe('event envelope contract', () => {
  it('the TypeScript type and the JSON Schema name the same fields', () => {
    const schema = loadSchema('events/event-envelope') as { properties: Record<string, unknown> };
    expect([...ENVELOPE_FIELDS].sort()).toEqual(Object.keys(schema.properties).sort());
  });

  it('accepts the seed section 9 example', () => {
    expect(checkEnvelope(valid)).toEqual({ ok: true, envelope: valid });
  });

  it.each([
    ['a missing eventId', { ...valid, eventId: undefined }, "/ must have required property 'eventId'"],
    ['an eventId that is not a uuid', { ...valid, eventId: 'x' }, '/eventId must match format "uuid"'],
    ['eventVersion 0', { ...valid, eventVersion: 0 }, '/eventVersion must be >= 1'],
    ['an unknown actor type', { ...valid, actor: { type: 'ROBOT', id: 'r' } }, '/actor/type must be equal to one of the allowed values'],
    ['a payload that is an array', { ...valid, payload: [] }, '/payload must be object'],
    ['an extra top-level field', { ...valid, extra: 1 }, '/ must NOT have additional properties'],
    ['no causationId (null is left for events written before it was recorded)', { ...valid, causationId: undefined }, "/ must have required property 'causationId'"],
    ['an empty causationId', { ...valid, causationId: '' }, '/causationId must NOT have fewer than 1 characters'],
  ])('refuses %s', (_label, candidate, message) => {
    const result = checkEnvelope(JSON.parse(JSON.stringify(candidate)));
    expect(result.ok).toBe(false);
    expect(result.ok ? [] : result.errors).toContain(message);
  });
});
