import { describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-react';
import discountLevel from '../../../metadata/test-fixtures/camunda-modeler/discount-level.dmn11.dmn?raw';
import regionRouting from '../../../metadata/test-fixtures/camunda-modeler/region-routing.dmn13.dmn?raw';
import DmnCanvas from './dmn-canvas';
import type { ModelerHandle } from './modeler-handle';
import type { ModelIssue } from './model-issues';

async function mount(xml: string, decisionKey: string, issues: ModelIssue[] = []) {
  const changes: string[] = [];
  const imports: (string | undefined)[] = [];
  const notices: (string | undefined)[] = [];
  let handle: ModelerHandle | undefined;
  const screen = await render(
    <div style={{ width: 1100 }}>
      <DmnCanvas xml={xml} decisionKey={decisionKey} issues={issues} onChange={(next) => changes.push(next)} onReady={(h) => (handle = h)} onImported={(p) => imports.push(p)} onVersionNotice={(n) => notices.push(n)} />
    </div>,
  );
  await expect.poll(() => imports.length).toBe(1);
  return { screen, changes, imports, notices, handle: handle! };
}

const tableName = () => document.querySelector('.cpq-dmn-canvas .decision-table-name')?.textContent;
const cell = (id: string) => document.querySelector<HTMLElement>(`.cpq-dmn-canvas [data-element-id="${id}"]`);

describe('DmnCanvas (dmn-js)', () => {
  it('opens the item\'s decision table, lists the other views, and switches to one', async () => {
    const { imports, screen } = await mount(regionRouting, 'fixture-region-routing');
    expect(imports).toEqual([undefined]);
    await expect.poll(tableName).toBe('Region routing');
    const views = screen.getByRole('toolbar', { name: 'Views of the DMN model' });
    await expect.element(views.getByRole('button', { name: 'Requirements diagram' })).toHaveAttribute('aria-pressed', 'false');
    await expect.element(views.getByRole('button', { name: 'Region routing (decision table)' })).toHaveAttribute('aria-pressed', 'true');
    await views.getByRole('button', { name: 'Region of country (literal expression)' }).click();
    await expect.poll(() => document.querySelector('.cpq-dmn-canvas .dmn-literal-expression-container') !== null).toBe(true);
  });

  it('marks the cells of the engine\'s issues, and reveals an entry in its decision', async () => {
    const { handle } = await mount(regionRouting, 'fixture-region-of-country', [
      { code: 'feel.syntax', message: 'bad', pointer: '/xml', severity: 'error', elementId: 'Entry_emea' },
    ]);
    await expect.poll(() => document.querySelector('.cpq-dmn-canvas .dmn-literal-expression-container') !== null).toBe(true);
    expect(handle.has('Entry_emea')).toBe(true);
    expect(handle.has('nowhere')).toBe(false);
    expect(handle.reveal('Entry_emea')).toBe(true);
    await expect.poll(() => cell('Entry_emea') !== null).toBe(true);
    expect(getComputedStyle(cell('Entry_emea')!).outlineColor).toBe('rgb(179, 38, 30)');
    expect(getComputedStyle(cell('Out_emea')!).outlineStyle).toBe('none');
  });

  it('keeps the imported bytes until the table is edited, then exports the edit', async () => {
    const { changes, handle } = await mount(regionRouting, 'fixture-region-routing');
    expect(await handle.exportXml()).toBeUndefined();
    await expect.poll(() => cell('Out_emea') !== null).toBe(true);
    await userEvent.click(cell('Out_emea')!.querySelector<HTMLElement>('[contenteditable]') ?? cell('Out_emea')!);
    await userEvent.keyboard('{End}-x');
    // At once, no debounce: a Save right after typing saves every key.
    expect(await handle.exportXml()).toContain('"sales-emea"-x');
    await expect.poll(() => changes.at(-1) ?? '').toContain('"sales-emea"-x');
    await userEvent.click(document.querySelector<HTMLElement>('.cpq-dmn-canvas td.annotation[data-row-id="Rule_emea"]')!);
    await userEvent.keyboard('Europe first');
    expect(await handle.exportXml()).toContain('<description>Europe first</description>');
  });

  it('shows DMN 1.1 migrated to 1.3, says so, and keeps the 1.1 bytes while nothing changed', async () => {
    const { notices, handle } = await mount(discountLevel, 'fixture-discount-level');
    await expect.poll(tableName).toBe('Discount level');
    expect(notices.at(-1)).toMatch(/^DMN 1\.1: shown as DMN 1\.3/);
    expect(await handle.exportXml()).toBeUndefined();
  });
});
