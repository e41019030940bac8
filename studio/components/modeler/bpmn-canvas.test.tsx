import { describe, expect, it } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-react';
import quoteApproval from '../../../bpmn/quote-approval.bpmn?raw';
import BpmnCanvas from './bpmn-canvas';
import type { ModelerHandle } from './modeler-handle';
import type { ModelIssue } from './model-issues';
import type { WorkerTopic } from './topic-options';

const topics: WorkerTopic[] = [
  { topic: 'platform.ping', description: 'Answers { pong: true, at }.', variables: { type: 'object', properties: { requestedBy: { type: 'string' } } } },
  { topic: 'quote.record-approval-decision', description: 'Confirms the decision.', variables: { type: 'object', required: ['quoteId'], properties: { quoteId: { type: 'string' } } } },
];

/** The canvas on the platform's quote-approval model, with what it reports. */
async function mount(issues: ModelIssue[] = [], xml = quoteApproval) {
  const changes: string[] = [];
  const imports: (string | undefined)[] = [];
  let handle: ModelerHandle | undefined;
  const screen = await render(
    <div style={{ width: 1200 }}>
      <BpmnCanvas xml={xml} topics={topics} issues={issues} onChange={(next) => changes.push(next)} onReady={(h) => (handle = h)} onImported={(p) => imports.push(p)} />
    </div>,
  );
  await expect.poll(() => imports.length).toBe(1);
  return { screen, changes, imports, handle: handle! };
}

const shape = (id: string) => document.querySelector<SVGGElement>(`.cpq-canvas .djs-element[data-element-id="${id}"]`);
const select = (id: string) => document.querySelector<HTMLSelectElement>(`#bio-properties-panel-${id}`);
const openImplementation = async () => {
  const header = document.querySelector<HTMLElement>('[data-group-id="group-CamundaPlatform__Implementation"] .bio-properties-panel-group-header')!;
  if (!header.classList.contains('open')) await userEvent.click(header);
};

describe('BpmnCanvas (bpmn-js with the Camunda 7 properties panel)', () => {
  it('offers the worker catalog\'s topics for an external task, says what the chosen one reads, and sets camunda:topic', async () => {
    const { changes, handle } = await mount();
    await userEvent.click(shape('record-approval-decision')!);
    await openImplementation();
    await expect.poll(() => select('workerCatalogTopic')?.value).toBe('quote.record-approval-decision');
    expect([...select('workerCatalogTopic')!.options].map((o) => o.value)).toEqual(['platform.ping', 'quote.record-approval-decision']);
    expect(document.querySelector('[data-group-id="group-CamundaPlatform__Implementation"]')!.textContent).toContain('Confirms the decision. Reads: quoteId (required).');

    await userEvent.selectOptions(select('workerCatalogTopic')!, 'platform.ping');
    await expect.poll(() => changes.at(-1) ?? '').toContain('camunda:topic="platform.ping"');
    // The panel re-renders after the change: wait for it rather than read it at once (slow under load).
    await expect.poll(() => document.querySelector<HTMLInputElement>('#bio-properties-panel-externalTopic')!.value).toBe('platform.ping');
    expect(await handle.exportXml()).toContain('<bpmn:serviceTask id="record-approval-decision" name="Record approval decision" camunda:type="external" camunda:topic="platform.ping">');
  });

  it('takes a typed topic at once (no debounce): a Save right after typing saves it', async () => {
    const { handle } = await mount();
    await userEvent.click(shape('record-approval-decision')!);
    await openImplementation();
    await userEvent.fill(document.querySelector<HTMLInputElement>('#bio-properties-panel-externalTopic')!, 'order.book');
    expect(await handle.exportXml()).toContain('camunda:topic="order.book"');
  });

  it('keeps a topic the catalog lacks, and says so', async () => {
    await mount([], quoteApproval.replace('camunda:topic="quote.escalate-approval"', 'camunda:topic="order.book"'));
    await userEvent.click(shape('escalate-approval')!);
    await openImplementation();
    await expect.poll(() => select('workerCatalogTopic')?.value).toBe('');
    expect(select('workerCatalogTopic')!.options[0]!.text).toBe('order.book (not in the catalog: keep it or choose one)');
    expect(document.querySelector<HTMLInputElement>('#bio-properties-panel-externalTopic')!.value).toBe('order.book');
  });

  it('saves the imported bytes while nothing changed, and again once every change is undone', async () => {
    const { changes, handle } = await mount();
    expect(await handle.exportXml()).toBeUndefined();
    await userEvent.click(shape('record-approval-decision')!);
    await userEvent.keyboard('{Delete}');
    await expect.poll(() => changes.length).toBe(1);
    expect(changes[0]).not.toContain('id="record-approval-decision"');
    expect(await handle.exportXml()).toBeTypeOf('string');
    await userEvent.click(document.querySelector<HTMLElement>('.cpq-canvas')!);
    await userEvent.keyboard('{Control>}z{/Control}');
    await expect.poll(() => changes.length).toBe(2);
    expect(changes[1]).toBe(quoteApproval);
    expect(await handle.exportXml()).toBeUndefined();
  });

  it('marks the engine\'s issues on their elements (outline and a badge with the messages) and reveals one on request', async () => {
    const { handle } = await mount([
      { code: 'bpmn.topic', message: 'external task "escalate-approval" has no camunda:topic', pointer: '/xml', severity: 'error', elementId: 'escalate-approval' },
      { code: 'bpmn.lint', message: 'label-required: element "escalate-approval"', pointer: '/xml', severity: 'warning', elementId: 'escalate-approval' },
      { code: 'bpmn.lint', message: 'no-implicit-end', pointer: '/xml', severity: 'warning', elementId: 'approved' },
      { code: 'bpmn.history-ttl', message: 'process has none', pointer: '/xml', severity: 'warning', elementId: 'quote-approval' },
      { code: 'bpmn.parse', message: 'somewhere else', pointer: '/xml', severity: 'warning', elementId: 'not-in-the-model' },
    ]);
    await expect.poll(() => shape('escalate-approval')?.classList.contains('cpq-issue-error')).toBe(true);
    expect(shape('approved')!.classList.contains('cpq-issue-warning')).toBe(true);
    const badges = [...document.querySelectorAll<HTMLElement>('.cpq-issue-badge')].map((b) => [b.dataset.issueElement, b.className, b.title]);
    expect(badges).toEqual([
      ['escalate-approval', 'cpq-issue-badge error', 'external task "escalate-approval" has no camunda:topic\nlabel-required: element "escalate-approval"'],
      ['approved', 'cpq-issue-badge warning', 'no-implicit-end'],
    ]);
    expect([handle.has('escalate-approval'), handle.has('quote-approval'), handle.has('not-in-the-model')]).toEqual([true, true, false]);
    expect(handle.reveal('escalate-approval')).toBe(true);
    await expect.poll(() => shape('escalate-approval')?.classList.contains('selected')).toBe(true);
    // The properties panel re-renders after the selection event, on its own schedule.
    await expect.poll(() => document.querySelector('.cpq-properties')!.textContent).toContain('Escalate approval');
    expect(handle.reveal('not-in-the-model')).toBe(false);
  });

  it('says why it cannot show XML that is not BPMN', async () => {
    const { imports } = await mount([], '<invoice/>');
    expect(imports[0]).toMatch(/^The modeler cannot show this XML: /);
  });
});
