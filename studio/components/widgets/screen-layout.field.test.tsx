import type { FieldProps } from '@rjsf/utils';
import { describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-react';
import type { Characteristic } from './characteristics.field';
import { ScreenLayoutField, type LoadCharacteristics, type ScreenLayout } from './screen-layout.field';
import { KindForm, sampleContent } from './test-support/kind-form';

// The sample catalog as the engine would answer for it (offering -> specification -> characteristics).
const load: LoadCharacteristics = async (offering) => {
  const offerings = { 'business-internet': 'business-internet', 'managed-router': 'managed-router' } as Record<string, string>;
  const specification = offerings[offering];
  if (!specification) return { ok: false, problem: { title: `No product-offering "${offering}"`, status: 404 } };
  return { ok: true, data: { specification, characteristics: sampleContent<{ characteristics: Characteristic[] }>('product-specification', specification).characteristics } };
};
const fields = { screenLayout: (props: FieldProps<ScreenLayout>) => <ScreenLayoutField {...props} loadCharacteristics={load} /> };

describe('ScreenLayoutField (quote-screen-layout)', () => {
  it('previews the rep\'s form from the offering\'s characteristics: controls by value type, domains, help, read-only', async () => {
    const layout = sampleContent<ScreenLayout>('quote-screen-layout');
    const screen = await render(<KindForm kind="quote-screen-layout" initial={layout} fields={fields} />);
    const preview = screen.getByRole('region', { name: 'Preview of the rep\'s form' });
    await expect.element(screen.getByTestId('layout-source')).toHaveTextContent('Characteristics of specification business-internet: 7.');
    const access = preview.getByRole('combobox', { name: 'Access technology *' });
    await expect.element(access).toBeVisible();
    expect(access.getByRole('option').all().map((o) => o.element().textContent)).toEqual(['Choose…', 'Fiber', 'Copper (VDSL)', '5G fixed wireless']);
    const bandwidth = preview.getByLabelText('Bandwidth (Mbit/s) *');
    await expect.element(bandwidth).toHaveAttribute('step', '50');
    await expect.element(bandwidth).toHaveAttribute('max', '10000');
  });

  it('adding a section and moving a field shows in the preview at once; unplaced characteristics are named', async () => {
    const layout: ScreenLayout = { offering: 'business-internet', sections: [{ key: 'access', title: 'Access', fields: [{ characteristic: 'access' }] }] };
    const screen = await render(<KindForm kind="quote-screen-layout" initial={layout} fields={fields} />);
    await expect.element(screen.getByTestId('unplaced')).toHaveTextContent('Not shown to reps: bandwidth, slaTier, staticIps, backupLine, installationDate, siteReference');
    await screen.getByRole('button', { name: 'Add a section' }).click();
    await userEvent.fill(screen.getByLabelText('Title of section 2'), 'Service level');
    const service = screen.getByRole('region', { name: 'Section Service level' });
    await expect.element(service.getByLabelText('Characteristic of field 1 in Service level')).toHaveValue('bandwidth');
    await userEvent.fill(service.getByLabelText('Characteristic of field 1 in Service level'), 'slaTier');
    await userEvent.fill(service.getByLabelText('Help of field slaTier'), 'Ask the customer');
    await service.getByRole('checkbox', { name: 'read-only' }).click();
    const preview = screen.getByRole('region', { name: 'Preview of the rep\'s form' });
    await expect.element(preview.getByRole('group', { name: 'Service level' }).getByRole('combobox', { name: 'SLA tier *' })).toBeDisabled();
    await expect.element(preview.getByText('Ask the customer')).toBeVisible();
    await screen.getByRole('button', { name: 'Move section Service level up' }).click();
    expect(preview.getByRole('group').all().map((g) => g.element().querySelector('legend')?.textContent)).toEqual(['Service level', 'Access']);
    await screen.getByRole('button', { name: 'Save' }).click();
    expect(JSON.parse(screen.getByTestId('submitted').element().textContent ?? '{}')).toEqual({
      offering: 'business-internet',
      sections: [
        { key: 'section-2', title: 'Service level', fields: [{ characteristic: 'slaTier', help: 'Ask the customer', readOnly: true }] },
        { key: 'access', title: 'Access', fields: [{ characteristic: 'access' }] },
      ],
    });
  });

  it('marks a field that is not a characteristic of the offering, and says when the offering cannot be read', async () => {
    const layout: ScreenLayout = { offering: 'business-internet', sections: [{ key: 'a', title: 'A', fields: [{ characteristic: 'colour' }] }] };
    const screen = await render(<KindForm kind="quote-screen-layout" initial={layout} fields={fields} />);
    await expect.element(screen.getByText('Not a characteristic of this offering.')).toBeVisible();
    await userEvent.fill(screen.getByLabelText('Offering laid out'), 'nothing-here');
    await expect.element(screen.getByTestId('layout-source')).toHaveTextContent('Characteristics unavailable: No product-offering "nothing-here"');
    await userEvent.fill(screen.getByLabelText('Offering laid out'), '');
    await expect.element(screen.getByTestId('layout-source')).toHaveTextContent('Name the offering to lay out: its specification’s characteristics fill the choices and the preview.');
  });
});
