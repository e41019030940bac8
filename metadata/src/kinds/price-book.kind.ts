import type { KindDefinition, MetadataItem, SemanticContext, ValidationIssue } from '../types';
import { checkAmountDecimals, checkTiers, checkValidity, issuesFor, pointer, type Issues } from './checks';
import { chargesOf } from './product-offering.kind';
import { characteristicsOf, domainProblem } from './product-specification.kind';
import { array, characteristicKey, characteristicValue, currency, date, decimal, key, kindSchema, name, object, tagged } from './schema-parts';

/**
 * List prices in one currency for a validity period: one entry per (offering, charge), priced
 *
 * - `flat`: one unit price;
 * - `attribute`: by the value of one characteristic of the configured line, each row matching
 *   an exact `value` or an inclusive numeric range `min`..`max` (e.g. price by bandwidth);
 * - `tiered`: by line quantity, tiers with inclusive integer bounds starting at 1, contiguous,
 *   the last one possibly open-ended; `slab` prices each unit at the tier it falls in
 *   (graduated), `range` prices every unit at the tier the whole quantity falls in (volume).
 *
 * Every price is a unit price as a decimal string with at most the currency's decimals.
 */
export type TierMode = 'slab' | 'range';

/**
 * `quantityFrom` names an integer characteristic that counts the charge's units per line unit
 * (static IP addresses, site licences): the charge is priced for line quantity x that value, so
 * 0 means the charge is not bought. Without it a charge counts the line's quantity.
 */
type EntryBase = { offering: string; charge: string; quantityFrom?: string };

export type FlatPriceEntry = EntryBase & { type: 'flat'; price: string };

export type PriceTableRow = { value?: string | number | boolean; min?: number; max?: number; price: string };
export type AttributePriceEntry = EntryBase & { type: 'attribute'; characteristic: string; rows: PriceTableRow[] };

export type PriceTier = { from: number; to?: number; price: string };
export type TieredPriceEntry = EntryBase & { type: 'tiered'; mode: TierMode; tiers: PriceTier[] };

export type PriceBookEntry = FlatPriceEntry | AttributePriceEntry | TieredPriceEntry;

export type PriceBookContent = {
  name: string;
  /** ISO 4217 code, e.g. "EUR" (see currencies.ts for the decimals of each). */
  currency: string;
  validFrom: string;
  validTo?: string;
  entries: PriceBookEntry[];
};

const entryBase = { offering: key, charge: key, quantityFrom: characteristicKey };
const quantity = { type: 'integer', minimum: 1, maximum: 1_000_000_000 };

const schema = kindSchema(
  'price-book',
  'Price book',
  object<PriceBookContent>(
    {
      name,
      currency,
      validFrom: date,
      validTo: date,
      entries: array(
        tagged(
          ['flat', 'attribute', 'tiered'],
          [
            object<FlatPriceEntry>({ ...entryBase, type: { const: 'flat' }, price: decimal }, ['offering', 'charge', 'type', 'price']),
            object<AttributePriceEntry>(
              {
                ...entryBase,
                type: { const: 'attribute' },
                characteristic: characteristicKey,
                rows: array(
                  object<PriceTableRow>(
                    { value: characteristicValue, min: { type: 'number' }, max: { type: 'number' }, price: decimal },
                    ['price'],
                  ),
                  { min: 1, max: 500 },
                ),
              },
              ['offering', 'charge', 'type', 'characteristic', 'rows'],
            ),
            object<TieredPriceEntry>(
              {
                ...entryBase,
                type: { const: 'tiered' },
                mode: { type: 'string', enum: ['slab', 'range'] },
                tiers: array(object<PriceTier>({ from: quantity, to: quantity, price: decimal }, ['from', 'price']), { min: 1, max: 50 }),
              },
              ['offering', 'charge', 'type', 'mode', 'tiers'],
            ),
          ],
        ),
        { max: 5000 },
      ),
    },
    ['name', 'currency', 'validFrom', 'entries'],
  ),
);

function checkTable(issues: Issues, entry: AttributePriceEntry, i: number, context: SemanticContext): void {
  const at = (...rest: (string | number)[]) => pointer('entries', i, ...rest);
  const characteristic = characteristicsOf(context, entry.offering)?.get(entry.characteristic);
  if (characteristicsOf(context, entry.offering) && !characteristic) {
    issues.add(at('characteristic'), 'characteristic.unknown', `"${entry.characteristic}" is not a characteristic of "${entry.offering}"'s specification`);
  }
  const numeric = characteristic?.valueType === 'number' || characteristic?.valueType === 'integer';
  const ranges: { r: number; min: number; max: number }[] = [];
  const values = new Map<string, number>();
  entry.rows.forEach((row, r) => {
    const byRange = row.min !== undefined || row.max !== undefined;
    if (byRange === (row.value !== undefined)) {
      issues.add(at('rows', r), 'price-table.row', 'a row matches either one value or a min..max range');
      return;
    }
    if (row.value !== undefined) {
      const seen = values.get(JSON.stringify(row.value));
      if (seen !== undefined) issues.add(at('rows', r, 'value'), 'duplicate', `value ${JSON.stringify(row.value)} is priced twice (first at row ${seen})`);
      values.set(JSON.stringify(row.value), r);
      const problem = characteristic && domainProblem(characteristic, row.value);
      if (problem) issues.add(at('rows', r, 'value'), 'characteristic.domain', problem);
      return;
    }
    if (characteristic && !numeric) {
      issues.add(at('rows', r), 'price-table.row', `"${characteristic.key}" is ${characteristic.valueType}: only numeric characteristics are priced by range`);
      return;
    }
    const min = row.min ?? -Infinity;
    const max = row.max ?? Infinity;
    if (min > max) {
      issues.add(at('rows', r), 'range.invalid', `min ${min} is above max ${max}`);
      return;
    }
    const overlap = ranges.find((other) => min <= other.max && other.min <= max);
    if (overlap) issues.add(at('rows', r), 'price-table.overlap', `range ${min}..${max} overlaps row ${overlap.r}`);
    ranges.push({ r, min, max });
  });
}

function validate(item: MetadataItem<PriceBookContent>, context: SemanticContext): ValidationIssue[] {
  const issues = issuesFor(item);
  const { content } = item;
  checkValidity(issues, content);
  const seen = new Map<string, number>();
  content.entries.forEach((entry, i) => {
    const at = (...rest: (string | number)[]) => pointer('entries', i, ...rest);
    const id = `${entry.offering}/${entry.charge}`;
    const first = seen.get(id);
    if (first !== undefined) issues.add(at(), 'duplicate', `"${entry.offering}" charge "${entry.charge}" is already priced by entry ${first}`);
    else seen.set(id, i);

    const charges = chargesOf(context, entry.offering);
    if (charges && !charges.has(entry.charge)) {
      issues.add(at('charge'), 'charge.unknown', `"${entry.offering}" has no charge "${entry.charge}"`);
    }
    if (entry.quantityFrom !== undefined) {
      const characteristics = characteristicsOf(context, entry.offering);
      const counter = characteristics?.get(entry.quantityFrom);
      if (characteristics && !counter) {
        issues.add(at('quantityFrom'), 'characteristic.unknown', `"${entry.quantityFrom}" is not a characteristic of "${entry.offering}"'s specification`);
      } else if (counter && counter.valueType !== 'integer') {
        issues.add(at('quantityFrom'), 'characteristic.domain', `"${entry.quantityFrom}" counts units, so it must be an integer characteristic (it is ${counter.valueType})`);
      }
    }
    switch (entry.type) {
      case 'flat':
        checkAmountDecimals(issues, entry.price, content.currency, at('price'));
        break;
      case 'attribute':
        entry.rows.forEach((row, r) => checkAmountDecimals(issues, row.price, content.currency, at('rows', r, 'price')));
        checkTable(issues, entry, i, context);
        break;
      case 'tiered':
        entry.tiers.forEach((tier, t) => checkAmountDecimals(issues, tier.price, content.currency, at('tiers', t, 'price')));
        checkTiers(issues, entry.tiers, (t) => at('tiers', t), 1);
        break;
    }
  });
  return issues.list;
}

export const priceBookKind: KindDefinition<PriceBookContent> = {
  kind: 'price-book',
  title: 'Price book',
  schema,
  maxBytes: 2 * 1024 * 1024,
  references: (content) =>
    content.entries.map((e, i) => ({ pointer: pointer('entries', i, 'offering'), target: { kind: 'product-offering' as const, key: e.offering } })),
  expressions: () => [],
  validate,
};
