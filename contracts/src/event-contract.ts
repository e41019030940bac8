import { readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { parse } from 'yaml';
import { CONTRACTS_DIR, type JsonSchema } from './openapi';

export const EVENTS_CONTRACT_FILE = join(CONTRACTS_DIR, 'asyncapi', 'cpq-events.yaml');

type AsyncApiMessage = { name?: string; payload?: JsonSchema };
type AsyncApiDocument = {
  channels: Record<string, { address: string; messages?: Record<string, { $ref: string }> }>;
  components: { messages: Record<string, AsyncApiMessage>; schemas?: Record<string, JsonSchema> };
};

export type EventCheck = { ok: true } | { ok: false; errors: string[] };

export type EventContract = {
  /** Every event type the contract declares, sorted. */
  eventTypes: string[];
  /** The topics (channel addresses) an event type is published to. */
  topicsOf(eventType: string): string[];
  /**
   * Checks one event (envelope and payload) against its message in the contract, chosen by
   * its eventType; with `topic`, also that the contract publishes that event type there.
   */
  check(event: unknown, topic?: string): EventCheck;
};

const formatError = (e: ErrorObject) => `${e.instancePath || '/'} ${e.message ?? 'is invalid'}${
  e.keyword === 'additionalProperties' ? ` (${String((e.params as { additionalProperty?: string }).additionalProperty)})` : ''
}`;

/**
 * Resolves the message's `$ref`s for Ajv: local `#/components/...` refs are inlined from the
 * document, file refs (the envelope) point at the loaded file's `$id`.
 */
function resolveRefs(node: unknown, doc: AsyncApiDocument, baseDir: string, files: Map<string, JsonSchema>): unknown {
  if (Array.isArray(node)) return node.map((item) => resolveRefs(item, doc, baseDir, files));
  if (node === null || typeof node !== 'object') return node;
  const { $ref, ...rest } = node as Record<string, unknown>;
  if (typeof $ref === 'string') {
    if (Object.keys(rest).length > 0) throw new Error(`a $ref with sibling keywords is not supported: ${$ref}`);
    if ($ref.startsWith('#/')) {
      const target = $ref.slice(2).split('/').reduce<unknown>((at, key) => (at as Record<string, unknown> | undefined)?.[key], doc);
      if (target === undefined) throw new Error(`unresolved $ref ${$ref} in the AsyncAPI contract`);
      return resolveRefs(target, doc, baseDir, files);
    }
    const file = resolve(baseDir, $ref);
    let schema = files.get(file);
    if (!schema) {
      schema = JSON.parse(readFileSync(file, 'utf8')) as JsonSchema;
      if (typeof schema.$id !== 'string') throw new Error(`${file} has no $id`);
      files.set(file, schema);
    }
    return { $ref: schema.$id };
  }
  return Object.fromEntries(Object.entries(rest).map(([key, value]) => [key, resolveRefs(value, doc, baseDir, files)]));
}

/** The `eventType` const a message's payload declares (in an `allOf` part), if any. */
function declaredEventType(payload: JsonSchema): string | undefined {
  const parts = (payload.allOf as JsonSchema[] | undefined) ?? [payload];
  for (const part of parts) {
    const eventType = ((part.properties as Record<string, JsonSchema> | undefined)?.eventType as JsonSchema | undefined)?.const;
    if (typeof eventType === 'string') return eventType;
  }
  return undefined;
}

/**
 * The AsyncAPI document as a validator (JSON Schema 2020-12, like every contract here). Each
 * message whose payload declares an `eventType` const is one event type; its name must be
 * that event type. Used by the engine's test fixture on every outbox row a test writes.
 */
export function loadEventContract(file = EVENTS_CONTRACT_FILE): EventContract {
  const doc = parse(readFileSync(file, 'utf8')) as AsyncApiDocument;
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  (addFormats as unknown as (a: Ajv2020) => void)(ajv);
  const files = new Map<string, JsonSchema>();
  const validators = new Map<string, ValidateFunction>();
  const topics = new Map<string, string[]>();

  const compiled: [string, JsonSchema][] = [];
  for (const [key, message] of Object.entries(doc.components.messages)) {
    if (!message.payload) continue; // a dead letter: the original bytes, no schema of its own
    const eventType = declaredEventType(message.payload);
    if (!eventType) throw new Error(`message ${key} declares no eventType const`);
    if (eventType !== key || (message.name !== undefined && message.name !== key)) {
      throw new Error(`message ${key} is named ${message.name ?? key} but declares eventType ${eventType}`);
    }
    compiled.push([eventType, resolveRefs(message.payload, doc, dirname(file), files) as JsonSchema]);
  }
  for (const schema of files.values()) ajv.addSchema(schema);
  for (const [eventType, schema] of compiled) validators.set(eventType, ajv.compile(schema));

  for (const channel of Object.values(doc.channels)) {
    for (const { $ref } of Object.values(channel.messages ?? {})) {
      const eventType = $ref.split('/').pop()!;
      if (!validators.has(eventType)) continue;
      topics.set(eventType, [...(topics.get(eventType) ?? []), channel.address]);
    }
  }

  return {
    eventTypes: [...validators.keys()].sort(),
    topicsOf: (eventType) => topics.get(eventType) ?? [],
    check(event, topic) {
      const eventType = (event as { eventType?: unknown } | null)?.eventType;
      const validate = typeof eventType === 'string' ? validators.get(eventType) : undefined;
      if (!validate) return { ok: false, errors: [`/eventType ${JSON.stringify(eventType)} is not an event of the AsyncAPI contract`] };
      const errors = validate(event) ? [] : (validate.errors ?? []).map(formatError);
      const expected = topics.get(eventType as string) ?? [];
      if (topic !== undefined && !expected.includes(topic)) {
        errors.push(`topic ${topic} does not carry ${String(eventType)} (the contract publishes it to ${expected.join(', ') || 'no channel'})`);
      }
      return errors.length ? { ok: false, errors: [...new Set(errors)] } : { ok: true };
    },
  };
}
