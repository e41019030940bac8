/**
 * The public surface of @cpq/metadata: the kinds' registry, the validators, the shared types,
 * the kinds' content types (the field names the engine interprets) and the FEEL compiler.
 */
export type { ExpressionSite, IssueSeverity, ItemRef, KindDefinition, MetadataItem, MetadataKind, Reference, SemanticContext, ValidationIssue } from './types';
export { isBlocking } from './types';
export type { CompiledFeel, FeelCompileResult, FeelContext, FeelDialect, FeelSyntaxError } from './feel/feel.types';
export {
  ITEM_KEY_SCHEMA,
  MAX_CONTENT_DEPTH,
  METADATA_KINDS,
  registry,
  validateItemShape,
  validateReleaseSet,
  type CompileFeel,
  type ValidateReleaseSetOptions,
} from './registry';
export { CURRENCY_CODES, CURRENCY_DECIMALS, currencyDecimals, type CurrencyCode } from './kinds/currencies';
export { ISSUE_CODES, type IssueCode } from './kinds/issue-codes';

export type { ApprovalLevel, ApprovalLimits, ApprovalPolicyContent, Money } from './kinds/approval-policy.kind';
export type { BpmnModelContent } from './kinds/bpmn-model.kind';
export { MAX_BUNDLE_DEPTH, type BundleContent, type BundleOption, type OptionGroup } from './kinds/bundle.kind';
export {
  CONFIGURATION_CONTEXT,
  type CompatibilityRule,
  type ConfigurationRule,
  type ConfigurationRuleSetContent,
  type ConfigurationRuleType,
  type DerivedRule,
  type ExcludesRule,
  type RequiresRule,
  type RuleSeverity,
  type ValueConstraintRule,
} from './kinds/configuration-rule-set.kind';
export type { DiscountBasis, DiscountScheduleContent, DiscountTier } from './kinds/discount-schedule.kind';
export type { DmnModelContent } from './kinds/dmn-model.kind';
export type { FulfillmentDecompositionMapContent, FulfillmentStep } from './kinds/fulfillment-decomposition-map.kind';
export { STEP_LISTS } from './kinds/fulfillment-decomposition-map.kind';
export type {
  AttributePriceEntry,
  FlatPriceEntry,
  PriceBookContent,
  PriceBookEntry,
  PriceTableRow,
  PriceTier,
  TieredPriceEntry,
  TierMode,
} from './kinds/price-book.kind';
export {
  AMOUNT_ACTIONS,
  PRICING_ACTIONS,
  PRICING_PHASES,
  type PricingAction,
  type PricingActionType,
  type PricingPhase,
  DISCONNECT_FEE_TYPES,
  type DisconnectFee,
  type PricingRule,
  type PricingRuleSetContent,
  type PricingScope,
  type Stacking,
} from './kinds/pricing-rule-set.kind';
export type { Charge, ChargePeriod, ChargeType, OfferingStatus, ProductOfferingContent } from './kinds/product-offering.kind';
export {
  domainProblem,
  type Characteristic,
  type CharacteristicRange,
  type CharacteristicValueType,
  type EnumValue,
  type ProductSpecificationContent,
} from './kinds/product-specification.kind';
export type { LayoutField, LayoutSection, QuoteScreenLayoutContent } from './kinds/quote-screen-layout.kind';

export { compileFeel, createFeelCache, type FeelCache } from './feel';
export { createReleaseView, type KindContent, type ReleaseView, type ReleaseViewItem } from './release-view';
