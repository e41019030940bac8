import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { loadSchema } from './schemas';

/**
 * The envelope of every event (seed section 9). The JSON Schema in
 * schemas/events/event-envelope.schema.json is the contract; this type mirrors it and
 * event-envelope.test.ts fails if the two name different fields.
 */
export type Actor = { type: 'USER' | 'SYSTEM' | 'WORKER' | 'CUSTOMER'; id: string };

export type EventEnvelope<P extends Record<string, unknown> = Record<string, unknown>> = {
  eventId: string;
  eventType: string;
  eventVersion: number;
  tenantId: string;
  aggregateType: string;
  aggregateId: string;
  aggregateVersion: number;
  occurredAt: string;
  correlationId: string;
  /** Null only on events written before causation was recorded (issue 8). */
  causationId: string | null;
  actor: Actor;
  payload: P;
};

export const ENVELOPE_FIELDS = [
  'eventId', 'eventType', 'eventVersion', 'tenantId', 'aggregateType', 'aggregateId',
  'aggregateVersion', 'occurredAt', 'correlationId', 'causationId', 'actor', 'payload',
] as const satisfies readonly (keyof EventEnvelope)[];

const ajv = new Ajv2020({ allErrors: true, strict: true });
(addFormats as unknown as (a: Ajv2020) => void)(ajv);
const validateEnvelope = ajv.compile(loadSchema('events/event-envelope'));

export type EnvelopeCheck = { ok: true; envelope: EventEnvelope } | { ok: false; errors: string[] };

/** Checks untrusted input (a Kafka message, a stored row) against the envelope contract. */
export function checkEnvelope(candidate: unknown): EnvelopeCheck {
  if (validateEnvelope(candidate)) return { ok: true, envelope: candidate as EventEnvelope };
  return {
    ok: false,
    errors: (validateEnvelope.errors ?? []).map((e) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}`),
  };
}
