import { describe, expect, it } from 'vitest';
import { render } from 'vitest-browser-react';
import type { ChangeSection, PriceTotals } from '@/lib/quote-api';
import { TermSplitTable } from './term-split-table';

// A renewal that renews one asset for 36 months and stops another while its term runs, as the
// engine prices it (ADR 0022, fifth addendum): the stopped asset's credit and early-termination
// fee are the current term, the renewed line the new term.
const totals = (oneTime: string, monthly: string, termTotal: string): PriceTotals => ({ oneTime, monthly, annual: '0.00', termTotal });
/** A row's cells as text (vitest's toHaveTextContent compares the whole text). */
const cells = (locator: { element(): Element }) => expect.poll(() => [...locator.element().querySelectorAll('td')].map((td) => td.textContent));

const renewal: ChangeSection = {
  basis: 'renewal', changeDate: '2027-07-02', lines: [],
  termTotals: { currentTerm: totals('60.17', '-40.00', '-180.49'), newTerm: totals('0.00', '45.00', '1620.00') },
};

describe('a change quote\'s totals by term', () => {
  it('shows the current terms (credit and fee) and the new terms apart, each with its one-time, periodic and term amounts', async () => {
    const screen = await render(<TermSplitTable change={renewal} currency="EUR" />);
    await expect.element(screen.getByRole('table', { name: 'Current and new terms' })).toBeVisible();
    await cells(screen.getByTestId('term-split-current')).toEqual(['Current terms of the assets (prorated changes, credits of what stops early, disconnect fees)', '60.17', '-40.00', '0.00', '-180.49']);
    await cells(screen.getByTestId('term-split-new')).toEqual(['New terms (renewed lines and new lines, for their new term)', '0.00', '45.00', '0.00', '1620.00']);
  });

  it('names the new part "New lines" on a mid-term change, and shows nothing for a result priced before the split', async () => {
    const screen = await render(<TermSplitTable change={{ ...renewal, basis: 'change' }} currency="EUR" />);
    await cells(screen.getByTestId('term-split-new')).toEqual(["New lines (new lines, for the quote's term)", '0.00', '45.00', '0.00', '1620.00']);
    const { termTotals: _none, ...before } = renewal;
    const old = await render(<div data-testid="old"><TermSplitTable change={before} currency="EUR" /></div>);
    await expect.element(old.getByTestId('old')).toBeEmptyDOMElement();
  });
});
