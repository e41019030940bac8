import { describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-react';
import { ApprovalMatrixField, type ApprovalLevel } from './approval-matrix.field';
import { KindForm, sampleContent } from './test-support/kind-form';

const fields = { approvalMatrix: ApprovalMatrixField };

describe('ApprovalMatrixField (approval-policy levels)', () => {
  it('shows the sample policy as a grid, one row per level, empty limits as no limit', async () => {
    const policy = sampleContent<{ levels: ApprovalLevel[] }>('approval-policy');
    const screen = await render(<KindForm kind="approval-policy" initial={policy} fields={fields} />);
    const grid = screen.getByRole('table', { name: 'Approval levels' });
    await expect.element(grid).toBeVisible();
    expect(grid.getByRole('row').all()).toHaveLength(policy.levels.length + 1);
    const first = policy.levels[0]!;
    await expect.element(screen.getByLabelText(`Role of ${first.name}`)).toHaveValue(first.role);
  });

  it('edits a limit in its cell, adds a level and saves what the engine\'s schema accepts', async () => {
    const policy = sampleContent<{ levels: ApprovalLevel[] }>('approval-policy');
    let data: Record<string, unknown> = policy;
    const screen = await render(<KindForm kind="approval-policy" initial={policy} fields={fields} onData={(d) => (data = d)} />);
    const first = policy.levels[0]!;
    await userEvent.fill(screen.getByLabelText(`Max discount % of ${first.name}`), '7.5');
    await screen.getByRole('button', { name: 'Add a level' }).click();
    const n = policy.levels.length;
    await userEvent.fill(screen.getByLabelText(`Role of level ${n + 1}`), 'cfo');
    await userEvent.fill(screen.getByLabelText(`Name of level ${n + 1}`), 'Chief financial officer');
    await userEvent.fill(screen.getByLabelText('Max term in months of Chief financial officer'), '60');
    await screen.getByRole('button', { name: 'Save' }).click();
    const saved = JSON.parse(screen.getByTestId('submitted').element().textContent ?? '{}') as { levels: ApprovalLevel[] };
    expect(saved.levels[0]!.limits.maxDiscountPercent).toBe('7.5');
    expect(saved.levels.at(-1)).toEqual({ level: (policy.levels.at(-1)!.level) + 1, role: 'cfo', name: 'Chief financial officer', limits: { maxTermMonths: 60 } });
    expect((data.levels as ApprovalLevel[]).length).toBe(n + 1);
  });

  it('shows ajv\'s and the engine\'s messages in the cell at fault', async () => {
    const policy = sampleContent<{ levels: ApprovalLevel[] }>('approval-policy');
    const first = policy.levels[0]!;
    const extraErrors = { levels: { 1: { limits: { maxDiscountPercent: { __errors: ['level 2 has a narrower maxDiscountPercent than level 1 below it'] } } } } };
    const screen = await render(<KindForm kind="approval-policy" initial={policy} fields={fields} extraErrors={extraErrors as never} />);
    await expect.element(screen.getByText('level 2 has a narrower maxDiscountPercent than level 1 below it')).toBeVisible();
    await userEvent.fill(screen.getByLabelText(`Max discount % of ${first.name}`), 'ten');
    await screen.getByRole('button', { name: 'Save' }).click();
    await expect.element(screen.getByLabelText(`Max discount % of ${first.name}`)).toHaveAttribute('aria-invalid', 'true');
    await expect.element(screen.getByText('must match pattern', { exact: false }).first()).toBeVisible();
  });
});
