'use client';

import Link from 'next/link';
import type { ModelerHandle } from './modeler-handle';
import { byGravity, type ModelIssue } from './model-issues';

type Props = {
  issues: readonly ModelIssue[];
  /** The candidate the issues come from. */
  from?: { candidateId: string; title: string };
  handle: ModelerHandle | undefined;
  /** Bumped after each import, so "on the canvas" is judged against the model shown. */
  imports: number;
};

const where = (issue: ModelIssue) => (issue.pointer && issue.pointer !== '/xml' ? `field ${issue.pointer.slice(1)} (Form tab)` : 'the whole model');

/**
 * The engine's issues on this model, errors first: those about one element show it on the
 * canvas (selected, scrolled into view) on click; the others say where they are.
 */
export function ModelIssuesList({ issues, from, handle }: Props) {
  if (issues.length === 0) return null;
  return (
    <section className="panel cpq-model-issues" aria-label="Validation issues of this model">
      <h2>
        {issues.length} issue{issues.length === 1 ? '' : 's'} found by the engine
        {from ? <> in candidate <Link href={`/candidates/${from.candidateId}`}>“{from.title}”</Link></> : null}
      </h2>
      <ul>
        {byGravity(issues).map((issue, i) => {
          const onCanvas = issue.elementId !== undefined && handle?.has(issue.elementId) === true;
          return (
            <li key={i} className={issue.severity === 'warning' ? 'warning' : 'error'}>
              <span className="cpq-severity">{issue.severity === 'warning' ? 'Warning' : 'Error'}</span> <code>{issue.code}</code> {issue.message}{' '}
              {onCanvas ? (
                <button type="button" className="secondary small" onClick={() => handle?.reveal(issue.elementId!)} aria-label={`Show ${issue.elementId} on the canvas`}>
                  Show {issue.elementId}
                </button>
              ) : (
                <span className="muted">({issue.elementId ? `element ${issue.elementId}, not in the model shown` : where(issue)})</span>
              )}
            </li>
          );
        })}
      </ul>
    </section>
  );
}
