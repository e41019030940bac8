import type { messages } from './generated/events';
import type { components, operations } from './generated/api';

/**
 * Types of the API and the events, read off the generated files (generate-types.ts) by
 * operationId or message name, so code names what it handles the way the contract does.
 */
export type OperationId = keyof operations;
export type ApiSchema<Name extends keyof components['schemas']> = components['schemas'][Name];

type OrUndefined<T> = [T] extends [never] ? undefined : T;
type JsonOf<T> = T extends { content: { 'application/json': infer Body } } ? Body : never;
type Parameters<Op extends OperationId> = operations[Op]['parameters'];
type SuccessStatus = 200 | 201 | 202 | 204;
/** The success statuses an operation declares. */
export type SuccessStatusOf<Op extends OperationId> = Extract<keyof operations[Op]['responses'], SuccessStatus>;

/** The JSON request body (an optional body is defaulted to `{}` before validation, so never undefined). */
export type BodyOf<Op extends OperationId> = OrUndefined<JsonOf<NonNullable<operations[Op]['requestBody']>>>;
export type PathParamsOf<Op extends OperationId> = OrUndefined<NonNullable<Parameters<Op>['path']>>;
export type QueryOf<Op extends OperationId> = OrUndefined<NonNullable<Parameters<Op>['query']>>;
/** The JSON answer of a status, or of every success status when none is named. */
export type ResponseOf<Op extends OperationId, Status extends keyof operations[Op]['responses'] = SuccessStatusOf<Op>> =
  OrUndefined<JsonOf<operations[Op]['responses'][Status]>>;

/** Fastify's route generic for an operation: `app.route<RouteOf<'createQuote'>>(...)`. */
export type RouteOf<Op extends OperationId> = {
  Body: BodyOf<Op>;
  Params: PathParamsOf<Op>;
  Querystring: QueryOf<Op>;
};

export type EventName = keyof messages;
/** A whole event as it travels on Kafka: the envelope with its type and payload. */
export type EventOf<Name extends EventName> = messages[Name];
/** A type without its index signature: only the properties the contract names. */
type Declared<T> = { [K in keyof T as string extends K ? never : number extends K ? never : K]: T[K] };
/**
 * The `payload` of an event: the properties its message declares (the envelope's generic
 * `payload: object` index signature removed, so a misspelt or missing field does not compile).
 */
export type EventPayloadOf<Name extends EventName> = Declared<messages[Name]['payload']>;
