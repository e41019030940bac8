'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { addLineAction } from '@/app/actions/quote.actions';
import type { Problem } from '@/lib/problem';
import type { OfferingChoice } from '@/lib/release-model';
import { ProblemView } from '@/components/problem-view';
import { explain } from './quote-problems';

type Props = { quoteId: string; version: number; releaseNumber: number; offerings: OfferingChoice[] };

/**
 * Adds a line of an offering on sale in the quote's release: the engine configures it at once
 * with the specification's defaults, and the rep continues in the line's configurator.
 */
export function AddLineForm({ quoteId, version, releaseNumber, offerings }: Props) {
  const router = useRouter();
  const [offering, setOffering] = useState(offerings[0]?.key ?? '');
  const [quantity, setQuantity] = useState('1');
  const [problem, setProblem] = useState<Problem>();
  const [pending, start] = useTransition();
  const chosen = offerings.find((o) => o.key === offering);

  const add = () => start(async () => {
    setProblem(undefined);
    const result = await addLineAction(quoteId, version, { offering, quantity: Number(quantity), selections: {} });
    if (!result.ok) return setProblem(result.problem);
    router.push(`/quotes/${quoteId}/lines/${result.data.lineId}`);
  });

  if (offerings.length === 0) return <p className="muted">Release {releaseNumber} has no offering on sale today.</p>;
  return (
    <div className="panel" role="group" aria-labelledby="add-line-title">
      <h2 id="add-line-title">Add a line</h2>
      <div className="row">
        <div>
          <label htmlFor="offering">Offering (release {releaseNumber})</label>
          <select id="offering" value={offering} onChange={(e) => setOffering(e.target.value)}>
            {offerings.map((o) => <option key={o.key} value={o.key}>{o.name}{o.bundle ? ' (bundle)' : ''}</option>)}
          </select>
        </div>
        <div>
          <label htmlFor="new-line-quantity">Quantity</label>
          <input id="new-line-quantity" type="number" min={1} max={100000} value={quantity} onChange={(e) => setQuantity(e.target.value)} />
        </div>
        <button type="button" onClick={add} disabled={pending || !offering}>{pending ? 'Adding…' : 'Add and configure'}</button>
      </div>
      {chosen?.description ? <p className="muted">{chosen.description}</p> : null}
      {chosen ? <p className="muted">Charges: {chosen.charges.map((c) => `${c.name} (${c.type === 'recurring' ? c.period : 'one-time'})`).join(', ') || 'none'}</p> : null}
      {problem ? <ProblemView problem={problem} explanation={explain(problem)} /> : null}
    </div>
  );
}
