'use client';

import type { FieldProps, RegistryFieldsType, RegistryWidgetsType, WidgetProps } from '@rjsf/utils';
import { offeringCharacteristicsAction } from '@/app/actions/catalog-lookup.actions';
import { evaluateFeelAction } from '@/app/actions/feel.actions';
import { ApprovalMatrixField } from './approval-matrix.field';
import { BundleTreeField } from './bundle-tree.field';
import { CharacteristicsField } from './characteristics.field';
import { FeelWidget } from './feel.widget';
import { ScreenLayoutField, type ScreenLayout } from './screen-layout.field';

/**
 * The custom editors as rjsf registers them (chosen by kind and path in ./ui-schema.ts). Those
 * that reach the engine get its server actions here, so the components themselves take any
 * implementation (component tests).
 */
export const customWidgets: RegistryWidgetsType = {
  feel: (props: WidgetProps) => <FeelWidget {...props} evaluate={evaluateFeelAction} />,
};

export const customFields: RegistryFieldsType = {
  characteristics: CharacteristicsField,
  bundleTree: BundleTreeField,
  approvalMatrix: ApprovalMatrixField,
  screenLayout: (props: FieldProps<ScreenLayout>) => <ScreenLayoutField {...props} loadCharacteristics={offeringCharacteristicsAction} />,
};

