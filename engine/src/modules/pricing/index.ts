// Public surface of the pricing module: the pure pricing core (README.md). Services and routes
// load the release view, call `price`, persist the frozen result and map PricingInputError.
export { hashResult, price, preparePricing } from './pricing-engine';
export { DEFAULT_ROUNDING, GUARD_DECIMALS, replayTrace, roundingModeOf, TraceReplayError } from './pricing-trace';
export {
  PRICING_ERROR_CODES,
  PricingInputError,
  type ChargeKind,
  type DeepReadonly,
  type ManualDiscount,
  type PriceOptions,
  type PriceResult,
  type PriceTotals,
  type PricedCharge,
  type PricedChargeView,
  type PricedLine,
  type PricedLineView,
  type PricingCustomer,
  type PricingErrorCode,
  type PricingInput,
  type PricingChildInput,
  type PricingLineInput,
  type RoundingMode,
  type SkippedRule,
  type TraceOperation,
  type TracePhase,
  type TraceSource,
  type TraceStep,
  type TraceStepView,
  type VersionRef,
} from './pricing.types';
