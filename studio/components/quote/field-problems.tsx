import type { Problem } from '@/lib/problem';

/** The engine's messages about one field (problem+json `errors[].field`), next to it. */
export function FieldProblems({ id, problem, field }: { id: string; problem: Problem | undefined; field: string }) {
  const mine = (problem?.errors ?? []).filter((e) => e.field === field || e.field.startsWith(`${field}/`));
  return (
    <div id={id} aria-live="polite">
      {mine.map((e, i) => <p key={i} className="violation">{e.message} <span className="muted">({e.rule})</span></p>)}
    </div>
  );
}
