import { sampleCatalog } from '@cpq/metadata/samples';
import { describe, expect, it, vi } from 'vitest';
import { userEvent } from 'vitest/browser';
import { render } from 'vitest-browser-react';
import type { ConfigurationIssue, ConfigurationResult, PreviewInput } from '@/lib/configuration-api';
import type { Result } from '@/lib/problem';
import { lineFormOf, type ReleaseItem } from '@/lib/release-model';
import { LineConfigurator, type LineDraft } from './line-configurator';

// The sample catalog as a published release (Business Internet: layout with three sections,
// rules copper-bandwidth, access-sla and premium-backup), and a stand-in for the engine's
// preview answering as the engine does for those rules (the e2e test runs the real one).
const release = (): ReleaseItem[] => sampleCatalog().map((i) => ({ ...i, contentHash: `hash-${i.key}` }));

const rule = (ruleId: string, characteristics: string[], message: string, fixes: ConfigurationIssue['fixes'] = []): ConfigurationIssue => ({
  ruleId, ruleSetKey: 'business-internet-rules', ruleVersion: 'v1', source: 'configuration-rule-set', severity: 'error', characteristics, message, fixes,
});

function engine(input: PreviewInput): ConfigurationResult {
  const s: Record<string, unknown> = { access: 'fiber', bandwidth: 100, slaTier: 'standard', staticIps: 0, backupLine: false, ...input.selections };
  const violations: ConfigurationIssue[] = [];
  const derivations: ConfigurationResult['derivations'] = [];
  const copper = s.access === 'copper';
  if (copper && Number(s.bandwidth) > 100) {
    violations.push(rule('copper-bandwidth', ['access', 'bandwidth'], 'Copper access carries at most 100 Mbit/s', [
      { description: 'Set bandwidth to 100', changes: [{ scope: 'line', characteristic: 'bandwidth', from: s.bandwidth, to: 100 }] },
      { description: 'Set access to "fiber"', changes: [{ scope: 'line', characteristic: 'access', from: 'copper', to: 'fiber' }] },
    ]));
  }
  if (s.slaTier === 'premium') {
    derivations.push({ characteristic: 'backupLine', value: true, ruleId: 'premium-backup', ruleSetKey: 'business-internet-rules', ruleVersion: 'v1', message: 'The premium SLA includes a backup line' });
    s.backupLine = true;
  }
  return {
    valid: violations.length === 0, releaseId: input.releaseId, offering: input.offering, normalized: { selections: s, children: [] },
    domains: {
      slaTier: {
        allowed: copper ? ['basic', 'standard'] : ['basic', 'standard', 'premium'],
        disabled: copper ? [{ value: 'premium', ruleId: 'access-sla', ruleSetKey: 'business-internet-rules', ruleVersion: 'v1', message: 'This SLA tier is not available on this access technology' }] : [],
      },
      bandwidth: copper
        ? { allowed: { min: 50, max: 100, step: 50 }, disabled: [{ value: { above: 100 }, ruleId: 'copper-bandwidth', ruleSetKey: 'business-internet-rules', ruleVersion: 'v1', message: 'Copper access carries at most 100 Mbit/s' }] }
        : { allowed: { min: 50, max: 10000, step: 50 }, disabled: [] },
    },
    derivations, violations, warnings: [], inputHash: 'i', resultHash: 'r',
  };
}

/** The element's text contains `text` (vitest's toHaveTextContent compares the whole text). */
const contains = (locator: { element(): Element }, text: string) => expect.poll(() => locator.element().textContent ?? '').toContain(text);

async function mount(items = release(), selections: Record<string, unknown> = {}) {
  const evaluate = vi.fn(async (input: PreviewInput): Promise<Result<ConfigurationResult>> => ({ ok: true, data: engine(input) }));
  const save = vi.fn(async (_line: LineDraft) => ({ ok: true as const, data: { valid: true } }));
  const form = lineFormOf(items, 'business-internet')!;
  const screen = await render(
    <LineConfigurator form={form} releaseId="r1" line={{ lineId: 'L1', quantity: 1, selections }} context={{ termMonths: 24, quoteOfferings: [] }}
      editable evaluate={evaluate} save={save} debounceMs={0} />,
  );
  return { screen, evaluate, save };
}

describe('LineConfigurator (the rep\'s generated form)', () => {
  it('follows the release\'s quote screen layout: sections in order, labels with units, help, required marks, read-only fields', async () => {
    const { screen } = await mount();
    await contains(screen.getByTestId('preview-status'), 'Valid configuration.');
    expect(screen.getByRole('group').all().map((g) => g.element().querySelector('legend')?.textContent)).toEqual(['Access', 'Service level', 'Installation']);
    await expect.element(screen.getByRole('combobox', { name: 'Access technology *' })).toHaveDisplayValue('Fiber');
    await expect.element(screen.getByLabelText('Bandwidth (Mbit/s) *')).toHaveValue(100);
    await expect.element(screen.getByText('In steps of 50 Mbit/s.')).toBeVisible();
    await expect.element(screen.getByRole('checkbox', { name: 'Backup line' })).toBeDisabled();
  });

  it('explains a disabled value by its rule, puts a violation next to its field, and one click applies the suggested fix', async () => {
    const { screen, evaluate } = await mount();
    await screen.getByRole('combobox', { name: 'Access technology *' }).selectOptions(screen.getByRole('option', { name: 'Copper (VDSL)' }));
    await userEvent.fill(screen.getByLabelText('Bandwidth (Mbit/s) *'), '500');
    await contains(screen.getByTestId('preview-status'), '1 rule broken: see the fields below.');
    // The value the rule disables is disabled in the select, and the rule is named.
    await expect.element(screen.getByRole('option', { name: 'Premium (4 hours, 24/7)' })).toBeDisabled();
    await contains(screen.getByTestId('disabled-slaTier-premium'), 'Premium (4 hours, 24/7) is not available: rule access-sla');
    await contains(screen.getByTestId('allowed-bandwidth'), 'Allowed now: 50–100 Mbit/s; above 100 Mbit/s excluded by rule copper-bandwidth');
    // The violation sits at the first field the rule reads, with the engine's fixes.
    const access = screen.getByTestId('field-access');
    await contains(access.getByTestId('issue-copper-bandwidth'), 'Copper access carries at most 100 Mbit/s');
    await access.getByRole('button', { name: 'Apply fix: Set bandwidth to 100' }).click();
    await contains(screen.getByTestId('preview-status'), 'Valid configuration.');
    await expect.element(screen.getByLabelText('Bandwidth (Mbit/s) *')).toHaveValue(100);
    expect(evaluate.mock.lastCall?.[0]).toMatchObject({ offering: 'business-internet', selections: { access: 'copper', bandwidth: 100 }, context: { quantity: 1, savedQuantity: 1, termMonths: 24 } });
  });

  it('shows a derived value read-only with its rule, and saves the rep\'s own choices without it', async () => {
    const { screen, save } = await mount();
    await screen.getByRole('combobox', { name: 'SLA tier *' }).selectOptions(screen.getByRole('option', { name: 'Premium (4 hours, 24/7)' }));
    await contains(screen.getByTestId('derived-backupLine'), 'Derived: yes, by rule premium-backup: The premium SLA includes a backup line. Read-only.');
    await expect.element(screen.getByRole('checkbox', { name: 'Backup line' })).toBeChecked();
    await userEvent.fill(screen.getByLabelText('Quantity'), '3');
    await screen.getByRole('button', { name: 'Save line' }).click();
    expect(save).toHaveBeenCalledWith({ lineId: 'L1', quantity: 3, selections: { slaTier: 'premium' } });
  });

  it('a characteristic published in the release and placed by its layout is on the form, with no code for it', async () => {
    const items = release().map((item) => {
      if (item.kind === 'product-specification' && item.key === 'business-internet') {
        const content = item.content as { characteristics: object[] };
        return { ...item, content: { ...content, characteristics: [...content.characteristics, { key: 'ddosProtection', name: 'DDoS protection', valueType: 'enum', required: false, values: [{ value: 'none', label: 'None' }, { value: 'always-on', label: 'Always on' }], default: 'none' }] } };
      }
      if (item.kind === 'quote-screen-layout') {
        const content = item.content as { sections: { fields: object[] }[] };
        return { ...item, content: { ...content, sections: content.sections.map((s, i) => (i === 1 ? { ...s, fields: [...s.fields, { characteristic: 'ddosProtection', help: 'Scrubbing in our network' }] } : s)) } };
      }
      return item;
    });
    const { screen } = await mount(items);
    const service = screen.getByTestId('section-service');
    await expect.element(service.getByRole('combobox', { name: 'DDoS protection' })).toBeVisible();
    await expect.element(service.getByText('Scrubbing in our network')).toBeVisible();
  });
  it('a bundle\'s options: the rep sets a quantity, the engine checks it at the option with its fix, and the line is saved with its options', async () => {
    // The engine's answer for the SD-WAN bundle: the security add-on allows at most 1 (a fix sets it back).
    const evaluate = vi.fn(async (input: PreviewInput): Promise<Result<ConfigurationResult>> => {
      const addon = input.children?.find((c) => c.offering === 'security-addon')?.quantity ?? 0;
      const children = [{ offering: 'business-internet', quantity: 2, selections: {} }, { offering: 'managed-router', quantity: 2, selections: { model: 'small' } }, { offering: 'security-addon', quantity: addon, selections: {} }];
      const violations = addon > 1 ? [{ ...rule('bundle.cardinality', [], 'Security add-on: at most 1', [{ description: 'Set Security add-on to 1', changes: [{ scope: 'child' as const, offering: 'security-addon', from: addon, to: 1 }] }]), source: 'bundle' as const, child: 'security-addon' }] : [];
      return { ok: true, data: { valid: violations.length === 0, releaseId: input.releaseId, offering: input.offering, normalized: { selections: { sites: 2 }, children }, domains: {}, derivations: [], violations, warnings: [], inputHash: 'i', resultHash: 'r' } };
    });
    const save = vi.fn(async (_line: LineDraft) => ({ ok: true as const, data: { valid: true } }));
    const items = release();
    const screen = await render(
      <LineConfigurator form={lineFormOf(items, 'sd-wan')!} releaseId="r1" context={{ termMonths: 24, quoteOfferings: [] }} editable evaluate={evaluate} save={save} debounceMs={0}
        line={{ lineId: 'L1', quantity: 1, selections: {}, children: [{ offering: 'managed-router', quantity: 2, selections: { model: 'small' } }] }} />,
    );
    const table = screen.getByRole('table', { name: 'Bundle options' });
    await expect.element(table.getByLabelText('Managed Router')).toHaveValue(2);
    await userEvent.fill(table.getByLabelText('Security add-on'), '2');
    await contains(table, 'Security add-on: at most 1');
    expect(evaluate.mock.lastCall?.[0].children).toContainEqual({ offering: 'security-addon', quantity: 2 });
    await table.getByRole('button', { name: 'Apply fix: Set Security add-on to 1' }).click();
    await expect.element(table.getByLabelText('Security add-on')).toHaveValue(1);
    await contains(screen.getByTestId('preview-status'), 'Valid configuration.');
    await screen.getByRole('button', { name: 'Save line' }).click();
    expect(save.mock.lastCall?.[0]).toEqual({
      lineId: 'L1', quantity: 1, selections: {},
      children: [{ offering: 'managed-router', quantity: 2, selections: { model: 'small' } }, { offering: 'security-addon', quantity: 1 }],
    });
  });
  it('a bundle option\'s characteristics: a form from its own specification, sent with the option when the rep sets one', async () => {
    const evaluate = vi.fn(async (input: PreviewInput): Promise<Result<ConfigurationResult>> => ({
      ok: true, data: { valid: true, releaseId: input.releaseId, offering: input.offering, normalized: { selections: { sites: 2 }, children: [{ offering: 'managed-router', quantity: 2, selections: { model: 'small', wifi: true } }] }, domains: {}, derivations: [], violations: [], warnings: [], inputHash: 'i', resultHash: 'r' },
    }));
    const save = vi.fn(async (_line: LineDraft) => ({ ok: true as const, data: { valid: true } }));
    const items = release();
    const optionForms = { 'managed-router': lineFormOf(items, 'managed-router')! };
    const screen = await render(
      <LineConfigurator form={lineFormOf(items, 'sd-wan')!} optionForms={optionForms} releaseId="r1" context={{ termMonths: 24, quoteOfferings: [] }} editable evaluate={evaluate} save={save} debounceMs={0}
        line={{ lineId: 'L1', quantity: 1, selections: {} }} />,
    );
    await screen.getByText('Managed Router: characteristics').click();
    const model = screen.getByRole('combobox', { name: /Router model/ });
    await expect.element(model).toBeVisible();
    await model.selectOptions(screen.getByRole('option', { name: /Large site/ }));
    await expect.poll(() => evaluate.mock.lastCall?.[0].children).toContainEqual({ offering: 'managed-router', quantity: 2, selections: { model: 'large' } });
    await screen.getByRole('button', { name: 'Save line' }).click();
    expect(save.mock.lastCall?.[0].children).toEqual([{ offering: 'managed-router', quantity: 2, selections: { model: 'large' } }]);
  });
});
