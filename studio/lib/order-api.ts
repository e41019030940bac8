import type { ApiSchema, BodyOf } from '@cpq/contracts/api-types';

/** The order contract's shapes the operators' fallout inbox reads (contracts/openapi/order-api.yaml). */
export type FalloutWorkItem = ApiSchema<'FalloutWorkItem'>;
export type FalloutAction = ApiSchema<'FalloutAction'>;
export type FalloutCategory = ApiSchema<'FalloutCategory'>;
export type Order = ApiSchema<'Order'>;
export type OrderSummary = ApiSchema<'OrderSummary'>;
export type OrderList = { items: OrderSummary[]; total: number; limit: number; offset: number };
export type OrderTimeline = ApiSchema<'OrderTimeline'>;
export type FulfillmentPlan = ApiSchema<'FulfillmentPlan'>;
export type ResolveFallout = BodyOf<'resolveFallout'>;
