import { describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-react';
import { CharacteristicsField, rangePreview, withValueType, type Characteristic } from './characteristics.field';
import { KindForm, sampleContent } from './test-support/kind-form';

const fields = { characteristics: CharacteristicsField };
type Spec = { name: string; characteristics: Characteristic[] };
const submitted = (text: string | null) => JSON.parse(text ?? '{}') as Spec;

describe('CharacteristicsField (product-specification domains)', () => {
  it('shows an enum\'s values as a table and a range with the values its step allows', async () => {
    const screen = await render(<KindForm kind="product-specification" initial={sampleContent('product-specification', 'business-internet')} fields={fields} />);
    const access = screen.getByRole('table', { name: 'Values of access' });
    await expect.element(access).toBeVisible();
    await expect.element(access.getByLabelText('Label of value 2')).toHaveValue('Copper (VDSL)');
    const bandwidth = screen.getByRole('region', { name: 'Characteristic bandwidth' });
    await expect.element(bandwidth.getByLabelText('Step')).toHaveValue('50');
    await expect.element(bandwidth.getByTestId('range-preview')).toHaveTextContent('Allowed: 50, 100, 150 … 10000 (200 values)');
    await expect.element(bandwidth.getByLabelText('Default')).toHaveValue('100');
  });

  it('edits an enum\'s values and its default, changes a range\'s step, and saves what the schema accepts', async () => {
    const screen = await render(<KindForm kind="product-specification" initial={sampleContent('product-specification', 'business-internet')} fields={fields} />);
    const access = screen.getByRole('region', { name: 'Characteristic access' });
    await access.getByRole('button', { name: 'Add a value' }).click();
    await userEvent.fill(access.getByLabelText('Value 4'), 'satellite');
    await userEvent.fill(access.getByLabelText('Label of value 4'), 'Satellite');
    await access.getByLabelText('Default').selectOptions('satellite');
    const bandwidth = screen.getByRole('region', { name: 'Characteristic bandwidth' });
    await userEvent.fill(bandwidth.getByLabelText('Step'), '100');
    await userEvent.fill(bandwidth.getByLabelText('Minimum'), '100');
    await expect.element(bandwidth.getByTestId('range-preview')).toHaveTextContent('Allowed: 100, 200, 300 … 10000 (100 values)');
    await screen.getByRole('button', { name: 'Save' }).click();
    await expect.poll(() => screen.getByTestId('submitted').element().textContent).not.toBe('');
    expect(screen.getByTestId('submitted').element().textContent).not.toMatch(/^invalid/);
    const spec = submitted(screen.getByTestId('submitted').element().textContent);
    const saved = spec.characteristics.find((c) => c.key === 'access')!;
    expect(saved.values?.at(-1)).toEqual({ value: 'satellite', label: 'Satellite' });
    expect(saved.default).toBe('satellite');
    expect(spec.characteristics.find((c) => c.key === 'bandwidth')?.range).toEqual({ min: 100, max: 10000, step: 100 });
  });

  it('changing the value type keeps only what the new type may have; a new characteristic starts as an enum', async () => {
    const screen = await render(<KindForm kind="product-specification" initial={sampleContent('product-specification', 'business-internet')} fields={fields} />);
    const bandwidth = screen.getByRole('region', { name: 'Characteristic bandwidth' });
    await bandwidth.getByLabelText('Value type').selectOptions('string');
    await userEvent.fill(bandwidth.getByLabelText('Longest text (characters)'), '20');
    await screen.getByRole('button', { name: 'Add a characteristic' }).click();
    const added = screen.getByRole('region', { name: 'Characteristic 8' });
    await userEvent.fill(added.getByLabelText('Key'), 'contractRef');
    const named = screen.getByRole('region', { name: 'Characteristic contractRef' });
    await userEvent.fill(named.getByLabelText('Name'), 'Contract reference');
    await named.getByLabelText('Value type').selectOptions('string');
    await screen.getByRole('button', { name: 'Save' }).click();
    const spec = submitted(screen.getByTestId('submitted').element().textContent);
    expect(spec.characteristics.find((c) => c.key === 'bandwidth')).toEqual({ key: 'bandwidth', name: 'Bandwidth', valueType: 'string', required: true, unit: 'Mbit/s', maxLength: 20 });
    expect(spec.characteristics.at(-1)).toEqual({ key: 'contractRef', name: 'Contract reference', valueType: 'string', required: false });
  });

  it('shows ajv\'s message at the cell (a key that is not a FEEL name) and the engine\'s at the range step', async () => {
    const extraErrors = { characteristics: { 1: { range: { step: { __errors: ['step 50 does not divide the range 50..10010 of "bandwidth"'] } } } } };
    const screen = await render(<KindForm kind="product-specification" initial={sampleContent('product-specification', 'business-internet')} fields={fields} extraErrors={extraErrors as never} />);
    await expect.element(screen.getByText('step 50 does not divide the range 50..10010 of "bandwidth"')).toBeVisible();
    const access = screen.getByRole('region', { name: 'Characteristic access' });
    await userEvent.fill(access.getByLabelText('Key'), 'access-type');
    await screen.getByRole('button', { name: 'Save' }).click();
    await expect.element(screen.getByRole('region', { name: 'Characteristic access-type' }).getByLabelText('Key')).toHaveAttribute('aria-invalid', 'true');
    await expect.element(screen.getByText('must match pattern "^[a-z][A-Za-z0-9]*$"')).toBeVisible();
  });

  it('previews ranges and drops fields of another value type', () => {
    expect(rangePreview({ min: 0, max: 1, step: 0.25 })).toBe('0, 0.25, 0.5, 0.75, 1 (5 values)');
    expect(rangePreview({ min: 0, step: 1 })).toBeUndefined();
    expect(withValueType({ key: 'a', name: 'A', valueType: 'enum', required: true, values: [{ value: 'x', label: 'X' }], default: 'x' }, 'integer'))
      .toEqual({ key: 'a', name: 'A', valueType: 'integer', required: true });
  });
});
