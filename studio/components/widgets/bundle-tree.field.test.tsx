import { describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-react';
import { BundleTreeField, cardinality, type Bundle } from './bundle-tree.field';
import { KindForm, sampleContent } from './test-support/kind-form';

const fields = { bundleTree: BundleTreeField };
const saved = (text: string | null) => JSON.parse(text ?? '{}') as Bundle;

describe('BundleTreeField (bundle)', () => {
  it('draws the sample bundle as a tree: root offering, groups with their choice cardinality, options with quantities', async () => {
    const screen = await render(<KindForm kind="bundle" initial={sampleContent('bundle')} fields={fields} />);
    await expect.element(screen.getByTestId('bundle-root')).toHaveTextContent('sd-wan');
    const hardware = screen.getByRole('listitem', { name: 'Group Hardware' });
    await expect.element(hardware.getByTestId('group-summary-hardware')).toHaveTextContent('choose 0..1 of 1');
    await expect.element(hardware.getByRole('listitem', { name: 'Option managed-router' }).getByLabelText('Maximum quantity of managed-router')).toHaveValue('500');
    const loose = screen.getByRole('listitem', { name: 'Options in no group' });
    await expect.element(loose.getByLabelText('Offering of option 1')).toHaveValue('business-internet');
  });

  it('moves an option into a group, adds a group and an option to it, and saves a bundle the schema accepts', async () => {
    const screen = await render(<KindForm kind="bundle" initial={sampleContent('bundle')} fields={fields} />);
    await screen.getByRole('button', { name: 'Add a group' }).click();
    const added = screen.getByRole('listitem', { name: 'Group group-3' });
    await userEvent.fill(added.getByLabelText('Name of group 3'), 'Support');
    const support = screen.getByRole('listitem', { name: 'Group Support' });
    await userEvent.fill(support.getByLabelText('Most options chosen in Support'), '2');
    await support.getByRole('button', { name: 'Add an option to Support' }).click();
    await userEvent.fill(support.getByLabelText('Offering of option 4'), 'managed-support');
    await screen.getByLabelText('Group of security-addon').selectOptions('group-3');
    await expect.element(support.getByTestId('group-summary-group-3')).toHaveTextContent('choose 0..2 of 2');
    await screen.getByRole('button', { name: 'Save' }).click();
    const bundle = saved(screen.getByTestId('submitted').element().textContent);
    expect(bundle.groups.at(-1)).toEqual({ key: 'group-3', name: 'Support', min: 0, max: 2 });
    expect(bundle.options.find((o) => o.offering === 'security-addon')?.group).toBe('group-3');
    expect(bundle.options.at(-1)).toEqual({ offering: 'managed-support', min: 0, max: 1, defaultQuantity: 0, group: 'group-3' });
  });

  it('renaming a group\'s key carries its options; removing a group leaves its options ungrouped; errors land in the cell', async () => {
    const extraErrors = { options: { 1: { defaultQuantity: { __errors: ['option "managed-router": default quantity 2 is outside 0..1'] } } } };
    const screen = await render(<KindForm kind="bundle" initial={sampleContent('bundle')} fields={fields} extraErrors={extraErrors as never} />);
    await expect.element(screen.getByText('option "managed-router": default quantity 2 is outside 0..1')).toBeVisible();
    await userEvent.fill(screen.getByLabelText('Key of group 1'), 'boxes');
    await screen.getByRole('button', { name: 'Remove group Add-ons' }).click();
    await screen.getByRole('button', { name: 'Save' }).click();
    const bundle = saved(screen.getByTestId('submitted').element().textContent);
    expect(bundle.groups.map((g) => g.key)).toEqual(['boxes']);
    expect(bundle.options.map((o) => o.group)).toEqual([undefined, 'boxes', undefined]);
    expect(cardinality(1, 1)).toBe('exactly 1');
  });
});
