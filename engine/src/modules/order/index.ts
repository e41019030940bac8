// Public surface of the order module: orders from accepted quotes, fulfillment on Camunda,
// cancellation with compensation, fallout (ADR 0016).
export { createOrderService } from './order.service';
export type { OrderService } from './order.service';
export { createOrderViews } from './order.views';
export type { OrderViews } from './order.views';
export { orderRoutes } from './order.routes';
export { consumerContext, createOrderConsumer, ORDER_CONSUMER, orderFromAcceptance } from './order.consumer';
export { ORDER_TRANSITIONS, STEP_TRANSITIONS, ORDER_STATES, STEP_STATES, transitionPairs } from './order.state';
export { decompose } from './decomposition';
export { ORDER_FULFILLMENT_PROCESS, fulfillmentBusinessKey } from './order.types';
// The installed base as a change or renewal quote reads it (the quote module never reads installed_asset).
export { assetsForQuote, assetsNow } from './installed-base';
export type { AssetForQuote, AssetNow } from './installed-base';
export { orderSignals } from './order.signals';
export type { OrderSignals } from './order.signals';
