import { describe } from 'vitest';
import type { PricingRuleSetContent } from './pricing-rule-set.kind';
import { kindCases, raw, ref, type InvalidCase } from './test-support';

const action = (c: PricingRuleSetContent, i: number) => c.rules[i]!.action;
const fee = (c: PricingRuleSetContent) => c.disconnectFees![0]!;
const flatFee = (c: PricingRuleSetContent) => (fee(c).fee = { type: 'amount', value: '49.00', currency: 'EUR' });

const cases: InvalidCase<PricingRuleSetContent>[] = [
  { name: 'an unknown phase', change: (c) => (raw(c.rules[0]).phase = 'promo'), code: 'schema.enum', pointer: '/rules/0/phase' },
  { name: 'an unknown stacking policy', change: (c) => (raw(c.rules[0]).stacking = 'additive'), code: 'schema.enum', pointer: '/rules/0/stacking' },
  { name: 'a value as a JSON number', change: (c) => (raw(action(c, 1)).value = 5), code: 'schema.type', pointer: '/rules/1/action/value' },
  { name: 'a rule without condition', change: (c) => delete raw(c.rules[1]).condition, code: 'schema.required', pointer: '/rules/1' },
  { name: 'a fractional priority', change: (c) => (c.rules[1]!.priority = 1.5), code: 'schema.type', pointer: '/rules/1/priority' },
  { name: 'a price book that does not resolve', change: (c) => (c.priceBooks = ['usd-list']), code: 'reference.unresolved', pointer: '/priceBooks/0' },
  { name: 'a scoped offering that does not resolve', change: (c) => (c.rules[0]!.scope!.offerings = ['firewall']), code: 'reference.unresolved', pointer: '/rules/0/scope/offerings/0' },
  { name: 'a condition that does not parse', change: (c) => (c.rules[1]!.condition = 'segment = "enterprise" and ('), code: 'feel.syntax', pointer: '/rules/1/condition' },
  { name: 'a rule id listed twice', change: (c) => (c.rules[1]!.id = 'free-installation-promo'), code: 'duplicate', pointer: '/rules/1/id' },
  { name: 'an order listed twice in a phase', change: (c) => (c.rules[2]!.order = 1), code: 'duplicate', pointer: '/rules/2/order' },
  { name: 'an amount without currency', change: (c) => delete action(c, 3).currency, code: 'currency.required', pointer: '/rules/3/action' },
  { name: 'a percentage with a currency', change: (c) => (action(c, 1).currency = 'EUR'), code: 'currency.unexpected', pointer: '/rules/1/action/currency' },
  { name: 'a discount above 100 %', change: (c) => (action(c, 1).value = '120'), code: 'percent.range', pointer: '/rules/1/action/value' },
  { name: 'an amount in another currency than the price books', change: (c) => (action(c, 3).currency = 'USD'), code: 'currency.mismatch', pointer: '/rules/3/action/currency' },
  { name: 'an amount with more decimals than its currency', change: (c) => (action(c, 3).value = '2.505'), code: 'currency.decimals', pointer: '/rules/3/action/value' },
  { name: 'a floor action outside the floor phase', change: (c) => (c.rules[4]!.phase = 'manual'), code: 'phase.action', pointer: '/rules/4/action/type' },
  { name: 'a discount in the floor phase', change: (c) => (c.rules[1]!.phase = 'floor'), code: 'phase.action', pointer: '/rules/1/action/type' },
  { name: 'a scoped charge the scoped offerings lack', change: (c) => (c.rules[0]!.scope!.charges = ['activation']), code: 'charge.unknown', pointer: '/rules/0/scope/charges/0' },
  { name: 'a charge no offering has', change: (c) => (c.rules[3]!.scope!.charges = ['roaming']), code: 'charge.unknown', pointer: '/rules/3/scope/charges/0' },
  // Disconnect fees (ADR 0022, addendum).
  { name: 'a disconnect fee of an unknown type', change: (c) => (raw(fee(c).fee).type = 'penalty'), code: 'schema.enum', pointer: '/disconnectFees/0/fee/type' },
  { name: 'a disconnect fee without a name', change: (c) => delete raw(fee(c)).name, code: 'schema.required', pointer: '/disconnectFees/0' },
  { name: 'a disconnect fee condition that does not parse', change: (c) => (fee(c).condition = 'daysRemaining >'), code: 'feel.syntax', pointer: '/disconnectFees/0/condition' },
  { name: 'a disconnect fee id listed twice', change: (c) => c.disconnectFees!.push({ ...fee(c) }), code: 'duplicate', pointer: '/disconnectFees/1/id' },
  { name: 'a disconnect fee scoped to an offering that does not resolve', change: (c) => (fee(c).scope = { offerings: ['firewall'] }), code: 'reference.unresolved', pointer: '/disconnectFees/0/scope/offerings/0' },
  { name: 'a percentage fee above 100 %', change: (c) => (fee(c).fee.value = '150'), code: 'percent.range', pointer: '/disconnectFees/0/fee/value' },
  { name: 'a percentage fee with a currency', change: (c) => (fee(c).fee.currency = 'EUR'), code: 'currency.unexpected', pointer: '/disconnectFees/0/fee/currency' },
  { name: 'an amount fee without currency', change: (c) => { flatFee(c); delete fee(c).fee.currency; }, code: 'currency.required', pointer: '/disconnectFees/0/fee' },
  { name: 'an amount fee in another currency than the price books', change: (c) => { flatFee(c); fee(c).fee.currency = 'USD'; }, code: 'currency.mismatch', pointer: '/disconnectFees/0/fee/currency' },
  { name: 'an amount fee with more decimals than its currency', change: (c) => { flatFee(c); fee(c).fee.value = '49.005'; }, code: 'currency.decimals', pointer: '/disconnectFees/0/fee/value' },
];

describe('pricing-rule-set', () => kindCases(ref('pricing-rule-set', 'standard-pricing'), cases));
