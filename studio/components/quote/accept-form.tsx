'use client';

import { useRouter } from 'next/navigation';
import { useState, useTransition } from 'react';
import type { Problem } from '@/lib/problem';
import type { AcceptInput } from '@/lib/quote-api';
import { ProblemView } from '@/components/problem-view';
import { explain } from './quote-problems';

type Outcome = { ok: true } | { ok: false; problem: Problem };
type Channel = NonNullable<AcceptInput['onBehalfOf']>['channel'];
const CHANNELS: { value: Channel; label: string }[] = [
  { value: 'email', label: 'by email' }, { value: 'signed-pdf', label: 'signed PDF' }, { value: 'phone', label: 'by phone' }, { value: 'in-person', label: 'in person' },
];

/**
 * Acceptance on the customer's behalf, against the document they saw: how they accepted and
 * the evidence. The engine checks it is still valid, priced, approved and the document still
 * matches, and says which check refused it.
 */
export function AcceptForm({ documentId, accept }: { documentId: string; accept: (input: AcceptInput) => Promise<Outcome> }) {
  const router = useRouter();
  const [channel, setChannel] = useState<Channel>('email');
  const [evidence, setEvidence] = useState('');
  const [problem, setProblem] = useState<Problem>();
  const [pending, start] = useTransition();
  return (
    <fieldset className="accept">
      <legend>Accept for the customer</legend>
      <div className="row">
        <div>
          <label htmlFor="accept-channel">The customer accepted</label>
          <select id="accept-channel" value={channel} onChange={(e) => setChannel(e.target.value as Channel)}>
            {CHANNELS.map((c) => <option key={c.value} value={c.value}>{c.label}</option>)}
          </select>
        </div>
        <div style={{ flex: 1 }}>
          <label htmlFor="accept-evidence">Evidence (who, when, what they said)</label>
          <textarea id="accept-evidence" rows={2} value={evidence} onChange={(e) => setEvidence(e.target.value)} maxLength={2000} />
        </div>
      </div>
      <button type="button" disabled={pending || evidence.trim() === ''} onClick={() => start(async () => {
        setProblem(undefined);
        const result = await accept({ documentId, onBehalfOf: { channel, evidence: evidence.trim() } });
        if (result.ok) router.refresh();
        else setProblem(result.problem);
      })}>{pending ? 'Accepting…' : 'Accept for the customer'}</button>
      {problem ? <ProblemView problem={problem} explanation={explain(problem)} /> : null}
    </fieldset>
  );
}
