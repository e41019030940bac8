import type { WidgetProps } from '@rjsf/utils';
import { describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-react';
import { FeelWidget } from './feel.widget';
import { engineFeel } from './test-support/engine-feel';
import { KindForm, sampleContent } from './test-support/kind-form';

const widgetsWith = (evaluate = engineFeel()) => ({ feel: (props: WidgetProps) => <FeelWidget {...props} evaluate={evaluate} /> });

describe('FeelWidget in the generated forms (chosen by kind and path)', () => {
  it('edits a pricing rule\'s condition, with the compiler\'s error at the field until it is fixed', async () => {
    const rules = sampleContent<{ rules: { condition: string }[] }>('pricing-rule-set');
    const screen = await render(<KindForm kind="pricing-rule-set" initial={rules} widgets={widgetsWith()} />);
    const condition = screen.getByRole('textbox', { name: 'condition' }).first();
    await expect.element(condition).toHaveTextContent(rules.rules[0]!.condition);
    await userEvent.fill(condition, 'quantity >= 10 and and termMonths >= 24');
    await expect.element(screen.getByText('Does not compile at characters 20–22: Unrecognized token <and> in <Conjunction>')).toBeVisible();
    await userEvent.fill(condition, 'quantity >= 10 and termMonths >= 24');
    await expect.element(screen.getByText('Compiles; reads quantity, termMonths.')).toBeVisible();
    await screen.getByRole('button', { name: 'Save' }).click();
    expect(JSON.parse(screen.getByTestId('submitted').element().textContent ?? '{}').rules[0].condition).toBe('quantity >= 10 and termMonths >= 24');
  });

  it('is used for every FEEL field of a configuration rule set, whichever rule type (oneOf variant) holds it', async () => {
    const screen = await render(<KindForm kind="configuration-rule-set" initial={sampleContent('configuration-rule-set', 'business-internet-rules')} widgets={widgetsWith()} />);
    await expect.element(screen.getByRole('textbox', { name: 'constraint' }).first()).toHaveTextContent('bandwidth <= 100');
    await expect.element(screen.getByRole('textbox', { name: 'expression' })).toHaveTextContent('slaTier = "premium"');
    expect(screen.getByRole('textbox', { name: 'condition' }).all().length).toBeGreaterThanOrEqual(3);
  });

  it('shows the engine\'s message for the field (a candidate\'s feel.syntax issue) under the editor, and an emptied required condition is named by ajv', async () => {
    const extraErrors = { rules: { 0: { condition: { __errors: ['FEEL does not parse at offset 19-22 of "quantity >= 10 and and x": Unrecognized token <and> in <Conjunction>'] } } } };
    const screen = await render(<KindForm kind="pricing-rule-set" initial={sampleContent('pricing-rule-set')} widgets={widgetsWith()} extraErrors={extraErrors as never} />);
    await expect.element(screen.getByText('FEEL does not parse at offset 19-22', { exact: false })).toBeVisible();
    await userEvent.click(screen.getByRole('textbox', { name: 'condition' }).first());
    await userEvent.keyboard('{Control>}a{/Control}{Backspace}');
    await expect.element(screen.getByText('Required: write a FEEL expression.').first()).toBeVisible();
    await screen.getByRole('button', { name: 'Save' }).click();
    await expect.element(screen.getByTestId('submitted')).toHaveTextContent("invalid: .rules.0.condition must have required property 'condition'; .rules.0.condition FEEL does not parse at offset 19-22 of \"quantity >= 10 and and x\": Unrecognized token <and> in <Conjunction>");
  });
});
