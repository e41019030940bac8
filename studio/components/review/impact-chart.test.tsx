import { describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-react';
import type { Impact, QuoteImpact } from '@/lib/api';
import { ImpactSummaryChart, percent, PriceDeltaChart, signed } from './impact-chart';
import { contentAt, labelOf, withTitles } from './schema-labels';

const quote = (id: string, before: string, delta: string | null, extra: Partial<QuoteImpact> = {}): QuoteImpact => ({
  quoteId: `${id}-0000-4000-8000-000000000000`, revision: 1, currency: 'EUR', basis: 'new', termTotalBefore: before,
  termTotalAfter: delta === null ? null : String(Number(before) + Number(delta)), delta,
  invalidLines: [], approvalsBefore: [], approvalsAfter: [], newlyRequiredApprovals: [], ...extra,
});

describe('PriceDeltaChart', () => {
  it('draws one bar per quote whose price changes, up or down from zero, largest first, and describes each in words', async () => {
    const quotes = [quote('aaaaaaaa', '1000', '11.3'), quote('bbbbbbbb', '500', '-50'), quote('cccccccc', '200', '0'), quote('dddddddd', '80', null, { error: 'no price' })];
    const screen = await render(<PriceDeltaChart quotes={quotes} currency="EUR" id="t" />);
    const chart = screen.getByRole('img', { name: /Price change per quote in EUR: 2 quote\(s\)/ });
    await expect.element(chart).toBeVisible();
    const bars = [...document.querySelectorAll('g[data-quote]')];
    expect(bars.map((g) => g.getAttribute('data-quote')!.slice(0, 8))).toEqual(['bbbbbbbb', 'aaaaaaaa']);
    const [down, up] = bars.map((g) => g.querySelector('rect')!);
    // The increase starts at the zero line where the decrease ends.
    expect(Number(up!.getAttribute('x'))).toBeCloseTo(Number(down!.getAttribute('x')) + Number(down!.getAttribute('width')), 5);
    expect(document.querySelector('desc')!.textContent).toBe('Quote bbbbbbbb revision 1: −50.00 EUR (−10.0 %); Quote aaaaaaaa revision 1: +11.30 EUR (+1.1 %)');
  });

  it('draws nothing when no price changes', async () => {
    const screen = await render(<div data-testid="host"><PriceDeltaChart quotes={[quote('aaaaaaaa', '10', '0')]} currency="EUR" id="t" /></div>);
    await expect.element(screen.getByTestId('host')).toBeEmptyDOMElement();
  });
});

describe('ImpactSummaryChart', () => {
  it('shows how many quotes each kind of impact touches, of those replayed', async () => {
    const impact: Impact = { candidateId: 'c', baseReleaseId: null, quotesReplayed: 4, summary: { priceChanges: 2, newlyRequiredApprovals: 1, invalidConfigurations: 1, notPriceable: 0 }, quotes: [] };
    const screen = await render(<ImpactSummaryChart impact={impact} id="s" />);
    await expect.element(screen.getByRole('img', { name: /Impact on 4 recent quotes/ })).toBeVisible();
    expect(document.querySelector('desc')!.textContent).toBe('Price changes: 2 of 4; Approvals newly required: 1 of 4; Configurations invalidated: 1 of 4; Cannot be priced: 0 of 4');
  });
});

describe('amounts and labels', () => {
  it('signs amounts from the engine\'s decimal text and gives the share of the total', () => {
    expect([signed('11.3'), signed('-0.5'), signed('0'), signed('1234.5678')]).toEqual(['+11.30', '−0.50', '0.00', '+1234.5678']);
    expect(percent({ delta: '-50', termTotalBefore: '500' })).toBe('−10.0 %');
    expect(percent({ delta: '5', termTotalBefore: '0' })).toBeUndefined();
  });

  it('names a field by the schema\'s titles or its words, and a list element by what identifies it', () => {
    const schema = {
      type: 'object', properties: {
        validFrom: { type: 'string' },
        entries: { type: 'array', items: { discriminator: { propertyName: 'type' }, oneOf: [
          { properties: { type: { const: 'flat' }, price: { type: 'string', title: 'List price' } } },
          { properties: { type: { const: 'attribute' }, rows: { type: 'array', items: { properties: { price: { type: 'string' } } } } } },
        ] } },
      },
    };
    const content = { entries: [{ type: 'flat', offering: 'business-internet', charge: 'installation', price: '1' }, { type: 'attribute', offering: 'x', charge: 'monthly-fee', rows: [{ price: '2' }] }] };
    expect(labelOf(schema, '/validFrom')).toBe('Valid from');
    expect(labelOf(schema, '/entries/0/price', content)).toBe('Entries 1 (business-internet, installation) › List price');
    expect(labelOf(schema, '/entries/1/rows/0/price', content)).toBe('Entries 2 (x, monthly-fee) › Rows 1 › Price');
    expect(labelOf(schema, '/entries/1/rows/0/price')).toBe('Entries 2 › Rows 1 › Price');
    expect(labelOf(schema, '')).toBe('The whole item');
    // An entry added or removed, named from its own value (an audit record holds only the change).
    expect(labelOf(schema, '/entries/7', contentAt('/entries/7', { type: 'flat', offering: 'new-offering', charge: 'setup', price: '5.00' }))).toBe('Entries 8 (new-offering, setup)');
    expect((withTitles(schema).properties.validFrom as { title?: string }).title).toBe('Valid from');
    // A variant is named by the value of its discriminator (rjsf's chooser would say "Option 2").
    expect(withTitles(schema).properties.entries.items.oneOf.map((o) => (o as { title?: string }).title)).toEqual(['Flat', 'Attribute']);
  });
});
