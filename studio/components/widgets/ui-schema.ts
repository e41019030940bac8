import type { UiSchema } from '@rjsf/utils';

/**
 * Which custom editor replaces rjsf's generated one, by kind and path (the kinds' schemas are in
 * metadata/src/kinds/*.kind.ts): names registered in ./custom-registry.tsx.
 */
const feel = (placeholder: string): UiSchema => ({ 'ui:widget': 'feel', 'ui:options': { placeholder } });

export function customUiSchema(kind: string): UiSchema {
  switch (kind) {
    case 'configuration-rule-set':
      // The rules are a oneOf by type; rjsf applies the items' uiSchema to the chosen variant.
      return { rules: { items: { condition: feel('always (no condition)'), constraint: feel('e.g. bandwidth <= 100'), expression: feel('e.g. quantity * 2') } } };
    case 'pricing-rule-set':
      return { rules: { items: { condition: feel('e.g. quantity >= 10 and termMonths >= 24') } } };
    case 'product-specification':
      return { characteristics: { 'ui:field': 'characteristics' } };
    case 'bundle':
      return { 'ui:field': 'bundleTree' };
    case 'approval-policy':
      return { levels: { 'ui:field': 'approvalMatrix' } };
    case 'quote-screen-layout':
      return { 'ui:field': 'screenLayout' };
    default:
      return {};
  }
}

/**
 * How rjsf fills what the content leaves out. Its default puts `minItems` empty entries into
 * every array, optional ones included: a pricing rule without a scope got
 * `scope: {offerings: [null], charges: [null]}` and could not be saved (ajv: "must be string").
 * Only required arrays and objects are filled now; absent optional ones stay absent.
 */
export const formStateBehavior = { arrayMinItems: { populate: 'requiredOnly' }, emptyObjectFields: 'populateRequiredDefaults' } as const;
