import { describe, expect, it } from 'vitest';
import { page, userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-react';
import { useState } from 'react';
import { FeelEditor } from './feel-editor';
import { engineFeel } from './test-support/engine-feel';
import type { FeelEvaluate } from './feel-sample';

function Harness({ initial, evaluate, dialect }: { initial: string; evaluate: FeelEvaluate; dialect?: 'expression' | 'unary-tests' }) {
  const [value, setValue] = useState(initial);
  return (
    <>
      <FeelEditor id="rule_condition" label="condition" value={value} onChange={setValue} evaluate={evaluate} dialect={dialect} debounceMs={20} required />
      <p data-testid="form-value">{value}</p>
      <button type="button" onClick={() => setValue('quantity > 1')}>Replace from outside</button>
    </>
  );
}

describe('FeelEditor', () => {
  it('highlights FEEL, and marks the compiler\'s error at its position as the admin types', async () => {
    const evaluate = engineFeel();
    const screen = await render(<Harness initial='access = "copper"' evaluate={evaluate} />);
    const editor = screen.getByRole('textbox', { name: 'condition' });
    await expect.element(screen.getByRole('status')).toHaveTextContent('Compiles; reads access.');
    // Highlighting: the string literal is its own styled token.
    await expect.poll(() => [...document.querySelectorAll('.cm-content span')].map((span) => span.textContent)).toContain('"copper"');

    await userEvent.click(editor);
    await userEvent.keyboard('{End} and quantity >= ');
    await expect.element(screen.getByTestId('form-value')).toHaveTextContent('access = "copper" and quantity >=');
    await expect.element(screen.getByRole('status')).toHaveTextContent('Does not compile at character 35: Incomplete <Comparison>');
    await expect.element(editor).toHaveAttribute('aria-invalid', 'true');
    await expect.element(editor).toHaveAttribute('aria-describedby', 'rule_condition__feel-status');
    // The engine's from..to (34..34, the end) is marked in the text.
    expect(document.querySelectorAll('.cm-lintPoint-error, .cm-lintRange-error').length).toBe(1);

    await userEvent.keyboard('10');
    await expect.element(screen.getByRole('status')).toHaveTextContent('Compiles; reads access, quantity.');
    await expect.element(editor).toHaveAttribute('aria-invalid', 'false');
    expect(document.querySelectorAll('.cm-lintPoint-error, .cm-lintRange-error').length).toBe(0);
  });

  it('underlines a range error over the characters the compiler names', async () => {
    await render(<Harness initial="quantity >= 10 and and access" evaluate={engineFeel()} />);
    await expect.element(page.getByRole('status')).toHaveTextContent('Does not compile at characters 20–22: Unrecognized token <and> in <Conjunction>');
    // from..to = 19..22: the second "and".
    await expect.poll(() => document.querySelector('.cm-lintRange-error')?.textContent).toBe('and');
  });

  it('evaluates against the sample values the admin enters for the names the expression reads', async () => {
    const evaluate = engineFeel();
    const screen = await render(<Harness initial='quantity >= 10 and access = "copper"' evaluate={evaluate} />);
    await expect.element(screen.getByLabelText('quantity')).toBeVisible();
    await expect.element(screen.getByTestId('feel-result')).toHaveTextContent('Gives false (boolean)');
    await userEvent.fill(screen.getByLabelText('quantity'), '12');
    await userEvent.fill(screen.getByLabelText('access'), 'copper');
    await expect.element(screen.getByTestId('feel-result')).toHaveTextContent('Gives true (boolean)');
    expect(evaluate.calls.at(-1)?.context).toEqual({ quantity: 12, access: 'copper' });
    // A half-typed expression keeps the sample inputs.
    await userEvent.click(screen.getByRole('textbox', { name: 'condition' }));
    await userEvent.keyboard('{End} and');
    await expect.element(screen.getByRole('status')).toHaveTextContent('Does not compile at character 41: Incomplete <Conjunction>');
    await expect.element(screen.getByLabelText('quantity')).toHaveValue('12');
  });

  it('shows a failure on the sample values apart from a compile error', async () => {
    const screen = await render(<Harness initial="x > true" evaluate={engineFeel()} />);
    await userEvent.fill(screen.getByLabelText('x'), '1');
    await expect.element(screen.getByTestId('feel-result')).toHaveTextContent('Fails with these values: unsupported range: true..null');
    await expect.element(screen.getByRole('status')).toHaveTextContent('Compiles; reads x.');
  });

  it('tests unary tests against the input value', async () => {
    const screen = await render(<Harness initial="< 10, [20..30]" evaluate={engineFeel()} dialect="unary-tests" />);
    await userEvent.fill(screen.getByLabelText('Input (?)'), '25');
    await expect.element(screen.getByTestId('feel-result')).toHaveTextContent('Gives true (boolean)');
    await userEvent.fill(screen.getByLabelText('Input (?)'), '15');
    await expect.element(screen.getByTestId('feel-result')).toHaveTextContent('Gives false (boolean)');
  });

  it('follows a value changed outside the editor', async () => {
    const screen = await render(<Harness initial="1" evaluate={engineFeel()} />);
    await screen.getByRole('button', { name: 'Replace from outside' }).click();
    await expect.element(screen.getByRole('textbox', { name: 'condition' })).toHaveTextContent('quantity > 1');
    await expect.element(screen.getByRole('status')).toHaveTextContent('Compiles; reads quantity.');
  });

  it('says when the engine cannot be asked', async () => {
    const down: FeelEvaluate = async () => ({ ok: false, problem: { title: 'The engine cannot be reached', status: 503 } });
    const screen = await render(<Harness initial="1 + 1" evaluate={down} />);
    await expect.element(screen.getByRole('status')).toHaveTextContent('The engine could not check it: The engine cannot be reached');
  });

  it('asks the engine once per pause in typing, not per keystroke', async () => {
    const evaluate = engineFeel();
    // A pause longer than a loaded CI machine takes between two typed keys (200 ms was not).
    const screen = await render(<FeelEditor id="f" label="formula" value="" onChange={() => undefined} evaluate={evaluate} debounceMs={1500} />);
    await expect.element(screen.getByRole('status')).toHaveTextContent('Empty: no expression.');
    await userEvent.click(screen.getByRole('textbox', { name: 'formula' }));
    await userEvent.keyboard('1 + 2 + 3');
    await expect.element(screen.getByRole('status')).toHaveTextContent('Compiles.');
    expect(evaluate.calls.map((c) => c.expression)).toEqual(['1 + 2 + 3']);
  });

  it('asks the engine only once the editor has been on screen (a rule set may hold hundreds)', async () => {
    const evaluate = engineFeel();
    const screen = await render(
      <div>
        <div style={{ height: 3000 }} />
        <FeelEditor id="far" label="far condition" value="quantity > 1" onChange={() => undefined} evaluate={evaluate} debounceMs={20} />
      </div>,
    );
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(evaluate.calls).toEqual([]);
    screen.getByRole('textbox', { name: 'far condition' }).element().scrollIntoView();
    await expect.element(screen.getByRole('status')).toHaveTextContent('Compiles; reads quantity.');
    expect(evaluate.calls).toHaveLength(1);
  });
});
