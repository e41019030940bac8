import type { KindDefinition, MetadataItem, Reference, SemanticContext, ValidationIssue } from '../types';
import { checkAmountDecimals, checkPercent, issuesFor, pointer, reportDuplicates } from './checks';
import type { PriceBookContent } from './price-book.kind';
import type { ProductOfferingContent } from './product-offering.kind';
import { array, currency, decimal, feel, key, kindSchema, name, object, text } from './schema-parts';

/**
 * The price waterfall: each charge's list price goes through the phases in PRICING_PHASES order.
 * In a phase, the rules whose scope and FEEL `condition` match the line apply in ascending
 * `order` (explicit and unique within the phase), and their `stacking` decides how they combine:
 *
 * - `exclusive`: the matching exclusive rule with the highest `priority` applies alone and the
 *   phase's other rules are skipped;
 * - `best-price`: of the matching best-price rules only the one giving the lowest price applies;
 * - `stack`: applies on top of the result so far.
 *
 * Actions: `percent-discount` and `markup` take a percentage; `amount-discount`, `override` (the
 * new unit price) and `floor` (the minimum unit price, only in the floor phase) take an amount
 * in `currency`, and apply only when pricing in that currency.
 */
export const PRICING_PHASES = ['list', 'customer', 'volume-term', 'manual', 'floor'] as const;
export type PricingPhase = (typeof PRICING_PHASES)[number];

export const PRICING_ACTIONS = ['percent-discount', 'amount-discount', 'markup', 'override', 'floor'] as const;
export type PricingActionType = (typeof PRICING_ACTIONS)[number];
export const AMOUNT_ACTIONS: readonly PricingActionType[] = ['amount-discount', 'override', 'floor'];

export type Stacking = 'exclusive' | 'best-price' | 'stack';

export type PricingAction = {
  type: PricingActionType;
  /** Decimal string: a percentage for percent-discount and markup, otherwise an amount. */
  value: string;
  /** Required for amount actions, absent for percentages. */
  currency?: string;
};

/** Which lines a rule looks at; absent = every line. */
export type PricingScope = { offerings?: string[]; charges?: string[] };

export type PricingRule = {
  id: string;
  description?: string;
  phase: PricingPhase;
  /** FEEL over the priced line (see README: offering, charge, quantity, termMonths, segment, ...). */
  condition: string;
  action: PricingAction;
  priority: number;
  order: number;
  stacking: Stacking;
  scope?: PricingScope;
};

/**
 * A one-time fee charged when a change quote disconnects an installed asset (ADR 0022,
 * addendum): an early-termination or disconnect fee. `amount`: the value per unit of the asset's
 * quantity, in `currency` (applies only when quoting in it); `percent-of-remaining`: the
 * percentage of what the asset's recurring charges would still have cost for the rest of its
 * term (the prorated remainder the disconnect takes off). Every fee whose scope and FEEL
 * `condition` match the disconnected line applies, in list order, each with its reason.
 */
export const DISCONNECT_FEE_TYPES = ['amount', 'percent-of-remaining'] as const;
export type DisconnectFee = {
  id: string;
  /** What the quote shows, e.g. "Early termination fee". */
  name: string;
  description?: string;
  /** FEEL over the disconnected line: offering, quantity, termMonths, daysRemaining, monthsRemaining, segment, channel, its characteristics. */
  condition: string;
  fee: { type: (typeof DISCONNECT_FEE_TYPES)[number]; value: string; currency?: string };
  scope?: { offerings: string[] };
};

export type PricingRuleSetContent = {
  name: string;
  /** Keys of the price-books these rules apply to; amount actions must be in their currencies. */
  priceBooks?: string[];
  rules: PricingRule[];
  /** One-time fees on disconnecting an installed asset (a change quote's disconnect line). */
  disconnectFees?: DisconnectFee[];
};

const schema = kindSchema(
  'pricing-rule-set',
  'Pricing rule set',
  object<PricingRuleSetContent>(
    {
      name,
      priceBooks: array(key, { min: 1, max: 20, unique: true }),
      rules: array(
        object<PricingRule>(
          {
            id: key,
            description: text,
            phase: { type: 'string', enum: [...PRICING_PHASES] },
            condition: feel,
            action: object<PricingAction>({ type: { type: 'string', enum: [...PRICING_ACTIONS] }, value: decimal, currency }, ['type', 'value']),
            priority: { type: 'integer', minimum: 0, maximum: 1000 },
            order: { type: 'integer', minimum: 0, maximum: 100_000 },
            stacking: { type: 'string', enum: ['exclusive', 'best-price', 'stack'] },
            scope: object<PricingScope>(
              { offerings: array(key, { min: 1, max: 100, unique: true }), charges: array(key, { min: 1, max: 50, unique: true }) },
              [],
            ),
          },
          ['id', 'phase', 'condition', 'action', 'priority', 'order', 'stacking'],
        ),
        { min: 1, max: 1000 },
      ),
      disconnectFees: array(
        object<DisconnectFee>(
          {
            id: key,
            name,
            description: text,
            condition: feel,
            fee: object<DisconnectFee['fee']>({ type: { type: 'string', enum: [...DISCONNECT_FEE_TYPES] }, value: decimal, currency }, ['type', 'value']),
            scope: object<NonNullable<DisconnectFee['scope']>>({ offerings: array(key, { min: 1, max: 100, unique: true }) }, ['offerings']),
          },
          ['id', 'name', 'condition', 'fee'],
        ),
        { min: 1, max: 100 },
      ),
    },
    ['name', 'rules'],
  ),
);

function validate(item: MetadataItem<PricingRuleSetContent>, context: SemanticContext): ValidationIssue[] {
  const issues = issuesFor(item);
  const { rules, priceBooks } = item.content;
  reportDuplicates(issues, rules, (r) => r.id, (i) => pointer('rules', i, 'id'), 'rule id');
  for (const phase of PRICING_PHASES) {
    const inPhase = rules.flatMap((rule, i) => (rule.phase === phase ? [{ rule, i }] : []));
    reportDuplicates(issues, inPhase, ({ rule }) => String(rule.order), (j) => pointer('rules', inPhase[j]?.i ?? 0, 'order'), `order in phase ${phase}`);
  }
  const currencies = new Set(
    (priceBooks ?? []).flatMap((key) => context.resolve<PriceBookContent>({ kind: 'price-book', key })?.content.currency ?? []),
  );
  const allCharges = new Set(
    (context.items('product-offering') as MetadataItem<ProductOfferingContent>[]).flatMap((o) => o.content.charges.map((c) => c.key)),
  );

  rules.forEach((rule, i) => {
    const at = (...rest: (string | number)[]) => pointer('rules', i, ...rest);
    const { action } = rule;
    const amount = AMOUNT_ACTIONS.includes(action.type);
    if ((rule.phase === 'floor') !== (action.type === 'floor')) {
      issues.add(at('action', 'type'), 'phase.action', 'floor actions belong to the floor phase, and the floor phase holds only floor actions');
    }
    if (amount && action.currency === undefined) {
      issues.add(at('action'), 'currency.required', `a ${action.type} action is an amount and needs a currency`);
    }
    if (!amount && action.currency !== undefined) {
      issues.add(at('action', 'currency'), 'currency.unexpected', `a ${action.type} action is a percentage and has no currency`);
    }
    if (action.type === 'percent-discount') checkPercent(issues, action.value, at('action', 'value'));
    if (amount && action.currency !== undefined) {
      checkAmountDecimals(issues, action.value, action.currency, at('action', 'value'));
      if (currencies.size > 0 && !currencies.has(action.currency)) {
        issues.add(at('action', 'currency'), 'currency.mismatch', `${action.currency} is not the currency of the rule set's price books (${[...currencies].join(', ')})`);
      }
    }
    const scoped = rule.scope?.offerings?.map((key) => context.resolve<ProductOfferingContent>({ kind: 'product-offering', key })?.content);
    rule.scope?.charges?.forEach((charge, j) => {
      const known = scoped ? scoped.some((o) => o?.charges.some((c) => c.key === charge) ?? true) : allCharges.has(charge);
      if (!known) issues.add(at('scope', 'charges', j), 'charge.unknown', `no offering in the rule's scope has a charge "${charge}"`);
    });
  });

  const fees = item.content.disconnectFees ?? [];
  reportDuplicates(issues, fees, (f) => f.id, (i) => pointer('disconnectFees', i, 'id'), 'disconnect fee id');
  fees.forEach(({ fee }, i) => {
    const at = (...rest: (string | number)[]) => pointer('disconnectFees', i, 'fee', ...rest);
    if (fee.type === 'amount') {
      if (fee.currency === undefined) {
        issues.add(at(), 'currency.required', 'an amount fee needs a currency');
      } else {
        checkAmountDecimals(issues, fee.value, fee.currency, at('value'));
        if (currencies.size > 0 && !currencies.has(fee.currency)) {
          issues.add(at('currency'), 'currency.mismatch', `${fee.currency} is not the currency of the rule set's price books (${[...currencies].join(', ')})`);
        }
      }
    } else {
      if (fee.currency !== undefined) issues.add(at('currency'), 'currency.unexpected', 'a percent-of-remaining fee is a percentage and has no currency');
      checkPercent(issues, fee.value, at('value'));
    }
  });
  return issues.list;
}

export const pricingRuleSetKind: KindDefinition<PricingRuleSetContent> = {
  kind: 'pricing-rule-set',
  title: 'Pricing rule set',
  schema,
  maxBytes: 256 * 1024,
  references: (content) => [
    ...(content.priceBooks ?? []).map((key, i): Reference => ({ pointer: pointer('priceBooks', i), target: { kind: 'price-book', key } })),
    ...content.rules.flatMap((rule, i) =>
      (rule.scope?.offerings ?? []).map((key, j): Reference => ({ pointer: pointer('rules', i, 'scope', 'offerings', j), target: { kind: 'product-offering', key } })),
    ),
    ...(content.disconnectFees ?? []).flatMap((fee, i) =>
      (fee.scope?.offerings ?? []).map((key, j): Reference => ({ pointer: pointer('disconnectFees', i, 'scope', 'offerings', j), target: { kind: 'product-offering', key } })),
    ),
  ],
  expressions: (content) => [
    ...content.rules.map((rule, i) => ({ pointer: pointer('rules', i, 'condition'), source: rule.condition, dialect: 'expression' as const })),
    ...(content.disconnectFees ?? []).map((fee, i) => ({ pointer: pointer('disconnectFees', i, 'condition'), source: fee.condition, dialect: 'expression' as const })),
  ],
  validate,
};
