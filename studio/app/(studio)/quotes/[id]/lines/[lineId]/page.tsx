import Link from 'next/link';
import type { Release } from '@/lib/api';
import { getEngine } from '@/lib/engine-client';
import type { QuoteView } from '@/lib/quote-api';
import { lineFormOf } from '@/lib/release-model';
import { requirePrincipal } from '@/lib/session';
import { previewConfigurationAction } from '@/app/actions/configuration.actions';
import { configureLineAction } from '@/app/actions/quote.actions';
import { ProblemView } from '@/components/problem-view';
import { LineConfiguratorPage } from '@/components/quote/line-configurator-page';
import { explain } from '@/components/quote/quote-problems';

const EDITABLE = new Set(['draft', 'priced']);

/**
 * A line's configurator. The form is generated from the release the quote is pinned to (the
 * offering's specification, its quote screen layout, its bundle), read from the engine on
 * every visit: a published change reaches this page without a deploy.
 */
export default async function LinePage({ params }: { params: Promise<{ id: string; lineId: string }> }) {
  await requirePrincipal();
  const { id, lineId } = await params;
  const found = await getEngine<QuoteView>(`/quotes/${encodeURIComponent(id)}`);
  if (!found.ok) return <ProblemView problem={found.problem} explanation={explain(found.problem)} />;
  const quote = found.data;
  if (quote.view !== 'internal') return <div role="alert" className="problem"><strong className="problem-title">This view is for sellers</strong></div>;
  const line = quote.revision.lines.find((l) => l.lineId === lineId);
  if (!line) return <div role="alert" className="problem"><strong className="problem-title">Revision {quote.revision.revision} has no line {lineId}</strong></div>;
  const [release, account] = await Promise.all([
    getEngine<Release>(`/metadata/releases/${quote.revision.releaseId}`),
    // The account's segment and channel reach the rules as they reach the engine's own configuration of the line.
    getEngine<{ segment?: string; channel?: string }>(`/accounts/${encodeURIComponent(quote.accountId)}`),
  ]);
  if (!release.ok) return <ProblemView problem={release.problem} />;
  const form = lineFormOf(release.data.items, line.offering);
  if (!form) return <div role="alert" className="problem"><strong className="problem-title">Release {release.data.releaseNumber} has no offering {line.offering}</strong></div>;
  // A change quote's line that disconnects its asset takes no configuration (the engine refuses it: line-disconnected).
  const disconnects = line.action === 'disconnect';
  const editable = EDITABLE.has(quote.revision.state) && !disconnects;
  // Each bundle option's own form (its specification and layout), for its characteristics.
  const optionForms = Object.fromEntries((form.bundle?.options ?? []).flatMap((o) => {
    const optionForm = lineFormOf(release.data.items, o.offering);
    return optionForm && optionForm.sections.some((section) => section.fields.length > 0) ? [[o.offering, optionForm]] : [];
  }));

  return (
    <>
      <p><Link href={`/quotes/${quote.quoteId}`}>Back to the quote for {quote.customerName}</Link></p>
      <h1>{form.offering.name}: line {line.position}</h1>
      <p className="muted">
        Generated from release {release.data.releaseNumber}: specification {form.specification.name}
        {form.layout ? <>, quote screen layout <code>{form.layout.key}</code></> : ', no quote screen layout (every characteristic in order)'}
        {form.bundle ? <>, bundle <code>{form.bundle.key}</code></> : null}.
        {editable || disconnects ? '' : ` The revision is ${quote.revision.state}: read-only.`}
      </p>
      {disconnects ? <p className="notice" data-testid="line-disconnects">This line disconnects the installed asset <code>{line.assetId}</code>: the order ends it, so it takes no configuration (read-only).</p> : null}
      <LineConfiguratorPage
        quoteId={quote.quoteId}
        form={form}
        optionForms={optionForms}
        releaseId={quote.revision.releaseId}
        line={{ lineId: line.lineId, quantity: line.quantity, selections: line.selections, ...(line.children ? { children: line.children } : {}) }}
        context={{
          termMonths: quote.termMonths,
          quoteOfferings: quote.revision.lines.filter((l) => l.lineId !== line.lineId).map((l) => l.offering),
          ...(account.ok && account.data.segment ? { segment: account.data.segment } : {}),
          ...(account.ok && account.data.channel ? { channel: account.data.channel } : {}),
        }}
        editable={editable}
        evaluate={previewConfigurationAction}
        save={configureLineAction.bind(null, quote.quoteId, quote.version)}
      />
    </>
  );
}
