import './quote.css';

/** A revision's state, coloured by what it means for the rep (open, waiting, done, over). */
export function StateBadge({ state }: { state: string }) {
  return <span className={`badge quote-state quote-state-${state}`} data-testid="quote-state">{state}</span>;
}
