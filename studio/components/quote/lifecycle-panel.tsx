import type { Quote } from '@/lib/quote-api';
import { acceptAction, lifecycleAction, withdrawAction } from '@/app/actions/quote.actions';
import { when } from '@/components/format';
import { AcceptForm } from './accept-form';
import { CommandButton } from './command-button';
import { WithdrawForm } from './withdraw-form';

/**
 * The revision's next steps, by its state (the engine's transition table decides; the buttons
 * only offer what it allows): submit, revise, withdraw, generate and open the document, accept
 * on the customer's behalf. Each refusal comes back with its problem and what it means.
 */
export function LifecyclePanel({ quote }: { quote: Quote }) {
  const r = quote.revision;
  const id = quote.quoteId;
  const v = quote.version;
  const pdf = r.documentId ? `/quotes/${id}/documents/${r.documentId}` : undefined;
  const can = (...states: string[]) => states.includes(r.state);
  return (
    <section className="panel" aria-labelledby="lifecycle-title">
      <h2 id="lifecycle-title">Next steps</h2>
      {r.state === 'accepted' ? <p className="notice" data-testid="accepted">Accepted by {r.acceptedBy} on {when(r.acceptedAt)}.</p> : null}
      {can('withdrawn', 'superseded') ? <p className="muted">This revision is {r.state}: nothing more happens to it.</p> : null}
      <div className="quote-actions">
        {can('priced') ? <CommandButton label="Submit for approval" busy="Submitting…" run={lifecycleAction.bind(null, id, v, 'submit-for-approval')} testId="submit" /> : null}
        {can('approved') ? <CommandButton label={r.documentId ? 'Generate the document again' : 'Generate the document'} busy="Generating…" secondary={Boolean(r.documentId)} run={lifecycleAction.bind(null, id, v, 'generate-document')} testId="generate-document" /> : null}
        {pdf ? <a className="button secondary" href={pdf} target="_blank" rel="noopener" data-testid="open-pdf">Open the PDF</a> : null}
        {can('submitted', 'approved', 'rejected', 'expired') ? <CommandButton label="Revise (new revision)" busy="Revising…" secondary run={lifecycleAction.bind(null, id, v, 'revise')} testId="revise" /> : null}
      </div>
      {can('approved') && r.documentId ? <AcceptForm documentId={r.documentId} accept={acceptAction.bind(null, id, v)} /> : null}
      {can('approved') && !r.documentId ? <p className="muted">The customer accepts a document: generate it first.</p> : null}
      {can('draft', 'priced', 'submitted', 'approved', 'rejected') ? <WithdrawForm withdraw={withdrawAction.bind(null, id, v)} /> : null}
    </section>
  );
}
