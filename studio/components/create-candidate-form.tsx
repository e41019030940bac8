'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import { createCandidateAction } from '@/app/actions/candidate.actions';
import type { Problem } from '@/lib/problem';
import { ProblemView } from './problem-view';

type ItemRef = { kind: string; key: string };

export function CreateCandidateForm({ drafts }: { drafts: ItemRef[] }) {
  const router = useRouter();
  const [title, setTitle] = useState('');
  const [chosen, setChosen] = useState<Set<string>>(new Set());
  const [problem, setProblem] = useState<Problem>();
  const [pending, startTransition] = useTransition();
  const id = (d: ItemRef) => `${d.kind}/${d.key}`;
  const toggle = (d: ItemRef) => setChosen((s) => {
    const next = new Set(s);
    if (next.has(id(d))) next.delete(id(d));
    else next.add(id(d));
    return next;
  });
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    setProblem(undefined);
    startTransition(async () => {
      const outcome = await createCandidateAction(title.trim(), drafts.filter((d) => chosen.has(id(d))));
      if (!outcome.ok) setProblem(outcome.problem);
      else router.push(`/candidates/${outcome.candidate.candidateId}`);
    });
  };
  return (
    <form className="panel" onSubmit={submit} aria-label="Make a release candidate">
      <h2>Make a release candidate</h2>
      <label htmlFor="candidate-title">Title</label>
      <input id="candidate-title" value={title} onChange={(e) => setTitle(e.target.value)} required maxLength={200} size={60} />
      <details style={{ margin: '12px 0' }}>
        <summary>Drafts to include ({chosen.size === 0 ? `all ${drafts.length}` : `${chosen.size} chosen`})</summary>
        {drafts.length === 0 ? <p className="muted">There are no drafts.</p> : (
          <fieldset>
            <legend>Leave all unchecked to include every draft</legend>
            {drafts.map((d) => (
              <label key={id(d)} style={{ fontWeight: 400 }}>
                <input type="checkbox" checked={chosen.has(id(d))} onChange={() => toggle(d)} /> {d.kind} / {d.key}
              </label>
            ))}
          </fieldset>
        )}
      </details>
      {problem ? <ProblemView problem={problem} /> : null}
      <button type="submit" disabled={pending || title.trim() === ''}>{pending ? 'Validating…' : 'Make candidate and validate'}</button>
    </form>
  );
}
