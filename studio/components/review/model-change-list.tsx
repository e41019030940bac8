import type { RefObject } from 'react';
import type { ModelChange } from './model-changes';

export type ModelDiffProps = { before: string | null; after: string | null; beforeLabel: string; afterLabel: string };

const VERB: Record<ModelChange['change'], string> = { added: 'Added', removed: 'Removed', changed: 'Changed', layout: 'Moved' };

/** The two diagram containers side by side, the legend of the markers, and every change in words (what a screen reader gets). */
export function ModelChangeList({ kind, left, right, before, after, beforeLabel, afterLabel, changes, failure }: ModelDiffProps & {
  kind: 'BPMN' | 'DMN'; left: RefObject<HTMLDivElement | null>; right: RefObject<HTMLDivElement | null>; changes: ModelChange[] | undefined; failure: string | undefined;
}) {
  return (
    <div data-testid={`${kind.toLowerCase()}-diff`}>
      <div className="model-diff">
        <section className="model-diff-side" aria-label={`${kind} diagram: ${beforeLabel}`}>
          <h4>{beforeLabel}</h4>
          {before ? <div ref={left} className="model-diff-canvas" /> : <p className="muted">Not in the current release.</p>}
        </section>
        <section className="model-diff-side" aria-label={`${kind} diagram: ${afterLabel}`}>
          <h4>{afterLabel}</h4>
          {after ? <div ref={right} className="model-diff-canvas" /> : <p className="muted">Removed by this candidate.</p>}
        </section>
      </div>
      <p className="diff-legend" aria-hidden="true">
        <span className="legend-added">added</span><span className="legend-changed">changed</span><span className="legend-removed">removed</span>{kind === 'BPMN' ? <span className="legend-layout">moved</span> : null}
      </p>
      {failure ? <p role="alert" className="problem">The diagram could not be shown: {failure}</p> : null}
      {changes === undefined && !failure ? <p className="muted" role="status">Comparing the diagrams…</p> : null}
      {changes && before && after ? (
        changes.length === 0 ? <p className="muted" data-testid="model-changes">The diagrams are the same.</p> : (
          <ul aria-label={`${kind} changes`} data-testid="model-changes">
            {changes.map((c) => (
              <li key={`${c.change}/${c.id}`}><strong>{VERB[c.change]}</strong>: {c.what} <code className="muted">{c.id}</code>{c.detail ? ` (${c.detail})` : ''}</li>
            ))}
          </ul>
        )
      ) : null}
    </div>
  );
}
