'use client';

import { useRouter } from 'next/navigation';
import { useEffect, useRef, useState, useTransition } from 'react';
import type { Problem } from '@/lib/problem';
import type { ApprovalPreview, ApprovalPreviewInput, ManualDiscountInput } from '@/lib/quote-api';
import { ProblemView } from '@/components/problem-view';
import { explain } from './quote-problems';

type Outcome<T> = { ok: true; data: T } | { ok: false; problem: Problem };
type Props = {
  line: { lineId: string; position: number; name: string; quantity: number; selections: Record<string, unknown> };
  current?: { percent?: string; amount?: string; reason?: string } | null;
  currency: string;
  /** The engine's approval preview for this quote (a bound server action). */
  preview: (lines: ApprovalPreviewInput['lines']) => Promise<Outcome<ApprovalPreview>>;
  /** configure-line with the discount, or null to remove it (a bound server action): a material change, priced again afterwards. */
  apply: (line: { lineId: string; quantity: number; selections: Record<string, unknown>; manualDiscount: ManualDiscountInput | null }) => Promise<Outcome<unknown>>;
  debounceMs?: number;
};

const PERCENT = /^\d{1,3}(\.\d{1,4})?$/;
const AMOUNT = /^\d{1,15}(\.\d{1,8})?$/;

/**
 * A manual discount on a line, with its reason. As the rep types, the engine prices the quote
 * with it and evaluates the release's approval policy: the form says at once whether the
 * discount needs approval and from whom (each level with its role and the limits it exceeds).
 */
export function DiscountForm({ line, current, currency, preview, apply, debounceMs = 300 }: Props) {
  const router = useRouter();
  const [kind, setKind] = useState<'percent' | 'amount'>(current?.amount !== undefined ? 'amount' : 'percent');
  const [value, setValue] = useState(current?.amount ?? current?.percent ?? '');
  const [reason, setReason] = useState(current?.reason ?? '');
  const [answer, setAnswer] = useState<Outcome<ApprovalPreview>>();
  const [asking, setAsking] = useState(false);
  const [problem, setProblem] = useState<Problem>();
  const [pending, start] = useTransition();
  const asked = useRef(0);
  const id = `discount-${line.lineId}`;
  const wellFormed = value.trim() !== '' && (kind === 'percent' ? PERCENT : AMOUNT).test(value.trim());

  useEffect(() => {
    if (!wellFormed) return;
    const n = ++asked.current;
    setAsking(true);
    const timer = setTimeout(() => {
      preview([{ lineId: line.lineId, manualDiscount: { [kind]: value.trim() } }]).then((result) => {
        if (n !== asked.current) return;
        setAsking(false);
        setAnswer(result);
      }, () => n === asked.current && setAsking(false));
    }, debounceMs);
    return () => clearTimeout(timer);
  }, [kind, value, wellFormed, line.lineId, preview, debounceMs]);

  const save = (manualDiscount: ManualDiscountInput | null) => start(async () => {
    setProblem(undefined);
    const result = await apply({ lineId: line.lineId, quantity: line.quantity, selections: line.selections, manualDiscount });
    if (result.ok) router.refresh();
    else setProblem(result.problem);
  });

  return (
    <fieldset className="discount" aria-describedby={`${id}-verdict`}>
      <legend>Manual discount on line {line.position}: {line.name}</legend>
      <div className="row">
        <div>
          <label htmlFor={`${id}-kind`}>Discount as</label>
          <select id={`${id}-kind`} value={kind} onChange={(e) => setKind(e.target.value as 'percent' | 'amount')}>
            <option value="percent">percent off</option>
            <option value="amount">{currency} off per unit</option>
          </select>
        </div>
        <div>
          <label htmlFor={`${id}-value`}>{kind === 'percent' ? 'Percent' : `Amount (${currency})`}</label>
          <input id={`${id}-value`} inputMode="decimal" value={value} onChange={(e) => setValue(e.target.value)} aria-invalid={value !== '' && !wellFormed} size={10} />
        </div>
        <div style={{ flex: 1 }}>
          <label htmlFor={`${id}-reason`}>Reason</label>
          <input id={`${id}-reason`} value={reason} onChange={(e) => setReason(e.target.value)} maxLength={500} style={{ width: '100%' }} />
        </div>
      </div>
      <div id={`${id}-verdict`} aria-live="polite" data-testid={`approval-verdict-${line.lineId}`}>
        {value !== '' && !wellFormed ? <p className="violation">{kind === 'percent' ? 'A percent: up to three digits and four decimals.' : 'An amount: digits with up to eight decimals.'}</p> : null}
        {wellFormed && asking ? <p className="muted">Asking the engine whether this needs approval…</p> : null}
        {wellFormed && !asking && answer ? <Verdict answer={answer} /> : null}
      </div>
      {problem ? <ProblemView problem={problem} explanation={explain(problem)} /> : null}
      <div className="row">
        <button type="button" disabled={pending || !wellFormed || reason.trim() === ''} onClick={() => save({ [kind]: value.trim(), reason: reason.trim() })}>
          {pending ? 'Applying…' : 'Apply discount'}
        </button>
        {current ? (
          <button type="button" className="secondary" disabled={pending} onClick={() => save(null)}>
            Remove discount
          </button>
        ) : null}
      </div>
      {wellFormed && reason.trim() === '' ? <p className="muted">A manual discount needs a reason.</p> : null}
    </fieldset>
  );
}

function Verdict({ answer }: { answer: Outcome<ApprovalPreview> }) {
  if (!answer.ok) return <ProblemView problem={answer.problem} explanation={explain(answer.problem)} />;
  const p = answer.data;
  const measured = `Discount measured: ${p.metrics.discountPercent} % off the standard price over ${p.metrics.termMonths} months; deal value ${p.metrics.dealValue} ${p.metrics.currency}.`;
  const policy = p.policy ? <> (policy <code>{p.policy.key}</code>, {p.policy.name})</> : null;
  if (p.required.length === 0) {
    return <div className="within-authority"><strong>Within your authority: no approval needed.</strong>{policy} <span className="muted">{measured}</span></div>;
  }
  return (
    <div className="needs-approval">
      <strong>Needs approval from {p.required.map((l) => l.name).join(', then ')}.</strong>{policy}
      <ul>
        {p.required.map((l) => (
          <li key={l.level} data-testid={`required-level-${l.level}`}>Level {l.level}: {l.name} (role <code>{l.role}</code>), because {l.reasons.join('; ')}</li>
        ))}
      </ul>
      <span className="muted">{measured}</span>
    </div>
  );
}
