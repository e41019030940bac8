import type { BodyOf, ResponseOf } from '@cpq/contracts/api-types';
import type { PrismaClient } from '@cpq/prisma';
import type { Principal } from '../../http/auth';
import type { InSqlTransaction, RawTx } from '../../lib/sql-transaction';
import type { InTransaction } from '../../lib/transaction';
import type { ReleaseViews } from '../catalog';
import type { CamundaClient } from '../workflow';

export type CommandContext = {
  principal: Principal;
  correlationId: string;
  /** The command's Idempotency-Key (or the causing event's id, or a reconciler run's id): the events' causationId. */
  commandId: string;
  /** Stores the command's answer for its Idempotency-Key in the command's own transaction. */
  complete?: (tx: RawTx, result: unknown) => Promise<void>;
};

/** What every order command is built from (one object, made once per app). */
export type OrderDeps = {
  prisma: PrismaClient;
  /** One transaction on one connection; contention becomes 409/503, never 500 (ADR 0013). */
  inTransaction: InTransaction;
  /**
   * The same in raw SQL on node-postgres (ADR 0014), for the commands each journey runs many
   * times (a worker's begin and outcome, callbacks, the create): a third of the CPU of a Prisma
   * interactive transaction. Commands that need Prisma's models (correlations) keep inTransaction.
   */
  inRawTransaction: InSqlTransaction;
  releases: ReleaseViews;
  camunda: CamundaClient;
  log: { info?(o: object, m: string): void; warn(o: object, m: string): void; error(o: object, m: string): void };
  /** Failure drills: stop a flow dead after the named step, as a crash would. */
  haltAfter?: (flow: string) => string | undefined;
  /** How long a fallout case may stay open, per category (ISO 8601 durations). */
  falloutSla?: Partial<Record<FalloutCategory, string>>;
};

export type FalloutCategory = 'technical-retry' | 'unknown-outcome' | 'business-fallout' | 'model-defect';
export type FalloutSource = 'step-failure' | 'compensation-failure' | 'incident' | 'callback' | 'decomposition';
export type FalloutAction = 'retry' | 'resolve' | 'compensate' | 'cancel';

// Inputs and answers are the contract's (contracts/src/generated/api.ts).
export type StepOutcomeInput = BodyOf<'recordStepOutcome'>;
export type CompensationOutcomeInput = BodyOf<'recordStepCompensation'>;
export type CallbackInput = BodyOf<'recordFulfillmentCallback'>;
export type ResolveFalloutInput = BodyOf<'resolveFallout'>;
export type OrderView = ResponseOf<'getOrder'>;
export type StepView = ResponseOf<'recordStepOutcome'>;
export type StepDispatch = ResponseOf<'beginFulfillmentStep'>;
export type CompensationDispatch = ResponseOf<'beginStepCompensation'>;
export type CallbackReceipt = ResponseOf<'recordFulfillmentCallback'>;
export type FalloutWorkItem = ResponseOf<'getFalloutWorkItem'>;

/** The fulfillment process of the release (bpmn/order-fulfillment.bpmn) and its business key. */
export const ORDER_FULFILLMENT_PROCESS = 'order-fulfillment';
export const fulfillmentBusinessKey = (tenantId: string, orderId: string) => `order-fulfillment:${tenantId}:${orderId}`;
/** The request key of an attempt: the target system's Idempotency-Key and our reference at it. */
export const requestKeyOf = (orderId: string, stepKey: string, attempt: number) => `${orderId}:${stepKey}:${attempt}`;
