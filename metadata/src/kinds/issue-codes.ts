/**
 * Every code a validation issue can carry (STYLE.md habit 6: codes declared once, as a union).
 * Validators can only emit these; clients (studio, API problem+json) may switch on them.
 * Schema errors are `schema.<ajv keyword>` (e.g. schema.required, schema.pattern).
 */
export const ISSUE_CODES = [
  // envelope and bounds (registry)
  'item.kind', 'item.key', 'item.duplicate', 'content.too-deep', 'content.too-large',
  // across items (registry)
  'reference.unresolved', 'feel.syntax', 'validator.failed',
  // shared by several kinds
  'duplicate', 'cycle', 'date.range', 'range.invalid', 'default.domain', 'percent.range',
  'currency.decimals', 'currency.mismatch', 'characteristic.unknown', 'characteristic.domain', 'charge.unknown',
  'tiers.start', 'tiers.range', 'tiers.open', 'tiers.gap', 'tiers.overlap',
  // product-specification
  'characteristic.values-missing', 'characteristic.values-unexpected', 'characteristic.range-unexpected',
  'characteristic.max-length-unexpected', 'range.integer', 'range.step',
  // product-offering
  'charge.period-missing', 'charge.period-unexpected',
  // bundle
  'group.unknown', 'group.unsatisfiable', 'group.defaults', 'bundle.depth',
  // configuration-rule-set
  'compatibility.row-length', 'rule.contradiction',
  // price-book
  'price-table.row', 'price-table.overlap',
  // pricing-rule-set
  'currency.required', 'currency.unexpected', 'phase.action',
  // approval-policy
  'levels.order', 'limits.monotonic',
  // fulfillment-decomposition-map
  'step.unknown',
  // bpmn-model and dmn-model (warnings: bpmn.lint, bpmn.history-ttl, dmn.history-ttl, parse warnings)
  'bpmn.parse', 'bpmn.lint', 'bpmn.process-key', 'bpmn.not-executable', 'bpmn.history-ttl', 'bpmn.topic',
  'bpmn.implementation', 'bpmn.timer', 'bpmn.duplicate-process', 'bpmn.called-element', 'bpmn.decision-ref',
  'dmn.parse', 'dmn.version', 'dmn.decision-key', 'dmn.history-ttl', 'dmn.duplicate-decision',
  // Camunda's own parser, run by the engine on a candidate's models (a throwaway deployment)
  'camunda.parse', 'camunda.unavailable',
] as const;

export type IssueCode = (typeof ISSUE_CODES)[number] | `schema.${string}`;
