import Link from 'next/link';
import type { Release } from '@/lib/api';
import { getEngine } from '@/lib/engine-client';
import type { QuoteView } from '@/lib/quote-api';
import { offeringNames, offeringsOf } from '@/lib/release-model';
import { requirePrincipal } from '@/lib/session';
import { ProblemView } from '@/components/problem-view';
import { AddLineForm } from '@/components/quote/add-line-form';
import { LinesTable } from '@/components/quote/lines-table';
import { QuoteHeader } from '@/components/quote/quote-header';
import { explain } from '@/components/quote/quote-problems';

const EDITABLE = new Set(['draft', 'priced']);

/**
 * One quote as the caller's role may see it (the engine decides the view). The internal view
 * reads the release the revision is pinned to, for its offerings and the lines' forms.
 */
export default async function QuotePage({ params }: { params: Promise<{ id: string }> }) {
  await requirePrincipal();
  const { id } = await params;
  const found = await getEngine<QuoteView>(`/quotes/${encodeURIComponent(id)}`);
  if (!found.ok) return <><p><Link href="/quotes">All quotes</Link></p><ProblemView problem={found.problem} explanation={explain(found.problem)} /></>;
  const quote = found.data;
  if (quote.view !== 'internal') {
    return <div role="alert" className="problem"><strong className="problem-title">This view is for sellers</strong><p>Your role sees this quote as {quote.view}.</p></div>;
  }
  const revision = quote.revision;
  const release = await getEngine<Release>(`/metadata/releases/${revision.releaseId}`);
  const items = release.ok ? release.data.items : [];
  const editable = EDITABLE.has(revision.state);
  const today = new Date().toISOString().slice(0, 10);

  return (
    <>
      <p><Link href="/quotes">All quotes</Link></p>
      <h1>Quote for {quote.customerName}</h1>
      <QuoteHeader quote={quote} releaseNumber={release.ok ? release.data.releaseNumber : undefined} />
      {!release.ok ? <ProblemView problem={release.problem} /> : null}
      <h2>Lines</h2>
      <LinesTable quoteId={quote.quoteId} lines={revision.lines} names={offeringNames(items)} editable={editable} />
      {editable && release.ok ? <AddLineForm quoteId={quote.quoteId} version={quote.version} releaseNumber={release.data.releaseNumber} offerings={offeringsOf(items, today)} /> : null}
    </>
  );
}
