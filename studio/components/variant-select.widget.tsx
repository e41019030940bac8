'use client';

import { getDefaultRegistry } from '@rjsf/core';
import type { Widget, WidgetProps } from '@rjsf/utils';

const DefaultSelectWidget = getDefaultRegistry().widgets.SelectWidget as Widget;

/**
 * rjsf's default select, with a label for the oneOf/anyOf variant chooser, which rjsf renders
 * without one (axe: select-name). Other selects keep the label of their field template.
 */
export function VariantSelectWidget(props: WidgetProps) {
  if (!/__(one|any)of_select$/.test(props.id)) return <DefaultSelectWidget {...props} />;
  return (
    <>
      <label htmlFor={props.id} className="visually-hidden">{`${props.label || 'Value'}: variant`}</label>
      <DefaultSelectWidget {...props} />
    </>
  );
}
