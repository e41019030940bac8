import type { KindDefinition, MetadataItem, SemanticContext, ValidationIssue } from '../types';
import { issuesFor, pointer, reportDuplicates } from './checks';
import { characteristicsOf } from './product-specification.kind';
import { array, characteristicKey, key, kindSchema, name, object, text } from './schema-parts';

/**
 * How the quote screen presents an offering's characteristics: sections in order, each with its
 * fields (characteristic keys) in order and help texts. Generated forms follow it; a
 * characteristic not listed is not shown.
 */
export type LayoutField = { characteristic: string; help?: string; readOnly?: boolean };

export type LayoutSection = { key: string; title: string; help?: string; fields: LayoutField[] };

export type QuoteScreenLayoutContent = {
  /** Key of the product-offering laid out. */
  offering: string;
  sections: LayoutSection[];
};

const schema = kindSchema(
  'quote-screen-layout',
  'Quote screen layout',
  object<QuoteScreenLayoutContent>(
    {
      offering: key,
      sections: array(
        object<LayoutSection>(
          {
            key,
            title: name,
            help: text,
            fields: array(
              object<LayoutField>({ characteristic: characteristicKey, help: text, readOnly: { type: 'boolean' } }, ['characteristic']),
              { min: 1, max: 100 },
            ),
          },
          ['key', 'title', 'fields'],
        ),
        { min: 1, max: 30 },
      ),
    },
    ['offering', 'sections'],
  ),
);

function validate(item: MetadataItem<QuoteScreenLayoutContent>, context: SemanticContext): ValidationIssue[] {
  const issues = issuesFor(item);
  const { offering, sections } = item.content;
  reportDuplicates(issues, sections, (s) => s.key, (i) => pointer('sections', i, 'key'), 'section');
  const fields = sections.flatMap((section, s) => section.fields.map((field, f) => ({ field, at: pointer('sections', s, 'fields', f, 'characteristic') })));
  reportDuplicates(issues, fields, ({ field }) => field.characteristic, (i) => fields[i]?.at ?? '', 'characteristic');
  const characteristics = characteristicsOf(context, offering);
  if (characteristics) {
    for (const { field, at } of fields) {
      if (!characteristics.has(field.characteristic)) {
        issues.add(at, 'characteristic.unknown', `"${field.characteristic}" is not a characteristic of "${offering}"'s specification`);
      }
    }
  }
  return issues.list;
}

export const quoteScreenLayoutKind: KindDefinition<QuoteScreenLayoutContent> = {
  kind: 'quote-screen-layout',
  title: 'Quote screen layout',
  schema,
  maxBytes: 128 * 1024,
  references: (content) => [{ pointer: '/offering', target: { kind: 'product-offering', key: content.offering } }],
  expressions: () => [],
  validate,
};
