import type { ApprovalLimits, ApprovalPolicyContent } from '@/lib/release-model';

export type DealMetrics = { currency: string; discountPercent: string; dealValue: string; termMonths: number; marginPercent?: string };

type Row = { measure: string; requested: string; limit: string; within: boolean | undefined };

/** Each measure the policy limits: what the deal asks for, what the level may approve, and whether it is within. */
export function authorityRows(metrics: DealMetrics, limits: ApprovalLimits): Row[] {
  const rows: Row[] = [];
  if (limits.maxDiscountPercent !== undefined) {
    rows.push({ measure: 'Discount off the standard price', requested: `${metrics.discountPercent} %`, limit: `up to ${limits.maxDiscountPercent} %`, within: Number(metrics.discountPercent) <= Number(limits.maxDiscountPercent) });
  }
  if (limits.maxDealValue) {
    const same = limits.maxDealValue.currency === metrics.currency;
    rows.push({ measure: 'Deal value over the term', requested: `${metrics.dealValue} ${metrics.currency}`, limit: `up to ${limits.maxDealValue.amount} ${limits.maxDealValue.currency}`, within: same ? Number(metrics.dealValue) <= Number(limits.maxDealValue.amount) : false });
  }
  if (limits.maxTermMonths !== undefined) {
    rows.push({ measure: 'Term', requested: `${metrics.termMonths} months`, limit: `up to ${limits.maxTermMonths} months`, within: metrics.termMonths <= limits.maxTermMonths });
  }
  if (limits.minMarginPercent !== undefined) {
    rows.push({ measure: 'Margin', requested: metrics.marginPercent !== undefined ? `${metrics.marginPercent} %` : 'unknown (no costs in the price books)', limit: `at least ${limits.minMarginPercent} %`, within: metrics.marginPercent === undefined ? undefined : Number(metrics.marginPercent) >= Number(limits.minMarginPercent) });
  }
  return rows;
}

/**
 * Requested vs authority: the deal's measures at submission against the limits of the level to
 * decide, and which of the policy's levels the approver's own roles hold.
 */
export function AuthorityTable({ metrics, policy, level, roles }: { metrics: DealMetrics | undefined; policy: { key: string; contentHash: string; content: ApprovalPolicyContent } | undefined; level: number; roles: readonly string[] }) {
  const entry = policy?.content.levels.find((l) => l.level === level);
  const held = (policy?.content.levels ?? []).filter((l) => roles.includes(l.role));
  return (
    <section className="panel" aria-labelledby="authority-title">
      <h2 id="authority-title">Requested vs authority</h2>
      {!metrics ? <p className="muted">The submission&apos;s measures are not in the quote&apos;s timeline.</p> : !entry ? <p className="muted">The release&apos;s policy has no level {level}.</p> : (
        <table aria-label="Requested vs authority">
          <thead><tr><th>Measure</th><th>Requested</th><th>Level {level} ({entry.name}) may approve</th><th>Within?</th></tr></thead>
          <tbody>
            {authorityRows(metrics, entry.limits).map((r) => (
              <tr key={r.measure}><td>{r.measure}</td><td>{r.requested}</td><td>{r.limit}</td><td>{r.within === undefined ? 'not measured' : r.within ? 'yes' : <strong className="sla-overdue">no</strong>}</td></tr>
            ))}
          </tbody>
        </table>
      )}
      <p data-testid="your-authority">
        {held.length === 0
          ? <>Your roles ({roles.join(', ')}) hold no level of this policy.</>
          : <>Your roles hold {held.map((l) => `level ${l.level} (${l.name}, role ${l.role})`).join(', ')}.</>}
        {entry && !roles.includes(entry.role) ? <> Level {level} needs the role <code>{entry.role}</code>: the engine will refuse your decision.</> : null}
      </p>
    </section>
  );
}
