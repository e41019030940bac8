import type { Problem } from '@/lib/problem';
import { readableMessage } from './form-messages';

/** An engine refusal as the admin should read it: its title, its detail, every field at fault. */
export function ProblemView({ problem, explanation }: { problem: Problem; explanation?: string }) {
  return (
    <div role="alert" className="problem" data-testid="problem">
      <strong className="problem-title">{problem.title}</strong>
      {problem.status ? <span className="muted"> ({problem.status}{problem.code ? ` ${problem.code}` : ''})</span> : null}
      {problem.detail ? <p>{readableMessage(problem.detail)}</p> : null}
      {explanation ? <p className="explanation">{explanation}</p> : null}
      {problem.errors && problem.errors.length > 0 ? (
        <ul>
          {problem.errors.map((e, i) => (
            <li key={i}>
              <code>{e.field}</code>: {readableMessage(e.message)} <span className="muted">({e.rule})</span>
            </li>
          ))}
        </ul>
      ) : null}
    </div>
  );
}
