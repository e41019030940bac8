import type { KindDefinition, MetadataItem, Reference, ValidationIssue } from '../types';
import { checkPercent, checkTiers, issuesFor, pointer } from './checks';
import { array, decimal, key, kindSchema, name, object } from './schema-parts';

/**
 * A discount by line quantity or by contract term (months): tiers with inclusive integer bounds,
 * contiguous and non-overlapping, the last possibly open-ended, each with a percentage. Quantity
 * tiers start at 1; term tiers start at the shortest term offered (below it: no discount).
 */
export type DiscountBasis = 'quantity' | 'term';

export type DiscountTier = { from: number; to?: number; percent: string };

export type DiscountScheduleContent = {
  name: string;
  basis: DiscountBasis;
  /** Keys of the product-offerings it applies to; absent = every offering. */
  offerings?: string[];
  tiers: DiscountTier[];
};

const bound = { type: 'integer', minimum: 1, maximum: 1_000_000_000 };

const schema = kindSchema(
  'discount-schedule',
  'Discount schedule',
  object<DiscountScheduleContent>(
    {
      name,
      basis: { type: 'string', enum: ['quantity', 'term'] },
      offerings: array(key, { min: 1, max: 200, unique: true }),
      tiers: array(object<DiscountTier>({ from: bound, to: bound, percent: decimal }, ['from', 'percent']), { min: 1, max: 50 }),
    },
    ['name', 'basis', 'tiers'],
  ),
);

function validate(item: MetadataItem<DiscountScheduleContent>): ValidationIssue[] {
  const issues = issuesFor(item);
  const { basis, tiers } = item.content;
  checkTiers(issues, tiers, (i) => pointer('tiers', i), basis === 'quantity' ? 1 : undefined);
  tiers.forEach((tier, i) => checkPercent(issues, tier.percent, pointer('tiers', i, 'percent')));
  return issues.list;
}

export const discountScheduleKind: KindDefinition<DiscountScheduleContent> = {
  kind: 'discount-schedule',
  title: 'Discount schedule',
  schema,
  maxBytes: 32 * 1024,
  references: (content) =>
    (content.offerings ?? []).map((key, i): Reference => ({ pointer: pointer('offerings', i), target: { kind: 'product-offering', key } })),
  expressions: () => [],
  validate,
};
