import type { KindDefinition, MetadataItem, SemanticContext, ValidationIssue } from '../types';
import { checkValidity, issuesFor, pointer, reportDuplicates } from './checks';
import { array, date, key, kindSchema, name, object, text } from './schema-parts';

/**
 * A sellable item: it refers to a product specification (what can be configured), has a
 * lifecycle status and validity dates, is eligible in some channels and segments, and declares
 * its charges. Price books price each (offering, charge); retiring an offering is a change in a
 * new release, never a deletion.
 */
export type OfferingStatus = 'draft' | 'active' | 'retired';
export type ChargeType = 'one-time' | 'recurring';
export type ChargePeriod = 'monthly' | 'annual';

export type Charge = {
  key: string;
  name: string;
  type: ChargeType;
  /** Recurring charges only, and required for them. */
  period?: ChargePeriod;
  description?: string;
};

export type ProductOfferingContent = {
  name: string;
  description?: string;
  /** Key of a product-specification. */
  specification: string;
  status: OfferingStatus;
  /** ISO dates; validTo (exclusive) is optional: open-ended. */
  validFrom: string;
  validTo?: string;
  /** Sales channels (e.g. "direct", "partner", "self-service") and segments ("enterprise", "smb"). */
  channels: string[];
  segments: string[];
  charges: Charge[];
  /**
   * The most units one quote line of the offering may hold (absent: no limit of its own). A line
   * above it, new or a change of an installed asset's quantity, is refused naming its quantity.
   */
  maxQuantity?: number;
};

const schema = kindSchema(
  'product-offering',
  'Product offering',
  object<ProductOfferingContent>(
    {
      name,
      description: text,
      specification: key,
      status: { type: 'string', enum: ['draft', 'active', 'retired'] },
      validFrom: date,
      validTo: date,
      channels: array(key, { min: 1, max: 20, unique: true }),
      segments: array(key, { min: 1, max: 20, unique: true }),
      charges: array(
        object<Charge>(
          {
            key,
            name,
            type: { type: 'string', enum: ['one-time', 'recurring'] },
            period: { type: 'string', enum: ['monthly', 'annual'] },
            description: text,
          },
          ['key', 'name', 'type'],
        ),
        { max: 50 },
      ),
      maxQuantity: { type: 'integer', minimum: 1, maximum: 100_000 },
    },
    ['name', 'specification', 'status', 'validFrom', 'channels', 'segments', 'charges'],
  ),
);

function validate(item: MetadataItem<ProductOfferingContent>): ValidationIssue[] {
  const issues = issuesFor(item);
  const { charges } = item.content;
  checkValidity(issues, item.content);
  reportDuplicates(issues, charges, (c) => c.key, (i) => pointer('charges', i, 'key'), 'charge');
  charges.forEach((charge, i) => {
    if (charge.type === 'recurring' && charge.period === undefined) {
      issues.add(pointer('charges', i), 'charge.period-missing', `recurring charge "${charge.key}" needs a period (monthly or annual)`);
    }
    if (charge.type === 'one-time' && charge.period !== undefined) {
      issues.add(pointer('charges', i, 'period'), 'charge.period-unexpected', `one-time charge "${charge.key}" has no period`);
    }
  });
  return issues.list;
}

export const productOfferingKind: KindDefinition<ProductOfferingContent> = {
  kind: 'product-offering',
  title: 'Product offering',
  schema,
  maxBytes: 64 * 1024,
  references: (content) => [{ pointer: '/specification', target: { kind: 'product-specification', key: content.specification } }],
  expressions: () => [],
  validate,
};

/** The charges of an offering by key (undefined if the offering does not resolve). */
export function chargesOf(context: SemanticContext, offeringKey: string): Map<string, Charge> | undefined {
  const offering = context.resolve<ProductOfferingContent>({ kind: 'product-offering', key: offeringKey });
  return offering && new Map(offering.content.charges.map((c) => [c.key, c]));
}
