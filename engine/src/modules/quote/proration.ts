/**
 * Proration of a recurring charge's change over the rest of an installed asset's term (ADR 0022).
 * Pure and exact: amounts are decimal strings turned into integers of minor units (BigInt), the
 * factor is the fraction days remaining / days in the term, and the prorated amount is rounded
 * once, half-up (away from zero, as the pricing core rounds), to the currency's decimals. No
 * float ever meets an amount.
 *
 * Days are calendar days in UTC between ISO dates. A term runs from its start (inclusive) to its
 * end (exclusive, as validity ends everywhere in the metadata): 2028-01-01 to 2029-01-01 has 366
 * days. A change on day D covers D to the end: on the term's last day (end - 1) one day remains;
 * on the end date nothing remains and the change is refused (`term-ended`). A change before the
 * term starts covers the whole term.
 */

export class ProrationError extends Error {
  constructor(readonly code: 'term-ended' | 'invalid-term' | 'invalid-amount', message: string) {
    super(message);
    this.name = 'ProrationError';
  }
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

/** Days since 1970-01-01 (UTC) of an ISO date; refuses anything that is not a real calendar day. */
export function dayNumber(iso: string): number {
  const ms = ISO_DATE.test(iso) ? Date.parse(`${iso}T00:00:00Z`) : Number.NaN;
  if (!Number.isFinite(ms) || new Date(ms).toISOString().slice(0, 10) !== iso) throw new ProrationError('invalid-term', `${iso} is not a calendar date`);
  return ms / 86_400_000;
}

export type Term = { start: string; end: string };
export type Proration = { changeDate: string; termStart: string; termEnd: string; daysRemaining: number; daysInTerm: number; fraction: string; factor: string };

/** days remaining / days in term for a change on `changeDate`; the factor shown with 6 decimals (the fraction is what is used). */
export function prorationOf(term: Term, changeDate: string): Proration {
  const start = dayNumber(term.start);
  const end = dayNumber(term.end);
  const day = dayNumber(changeDate);
  if (end <= start) throw new ProrationError('invalid-term', `the term ${term.start} to ${term.end} has no day`);
  if (day >= end) throw new ProrationError('term-ended', `the term ended on ${term.end}; a change on ${changeDate} has nothing left to prorate (renew it instead)`);
  const daysInTerm = end - start;
  const daysRemaining = end - Math.max(day, start);
  return {
    changeDate, termStart: term.start, termEnd: term.end, daysRemaining, daysInTerm,
    fraction: `${daysRemaining}/${daysInTerm}`, factor: formatUnits(divideHalfUp(BigInt(daysRemaining) * 1_000_000n, BigInt(daysInTerm)), 6),
  };
}

const AMOUNT = /^(-)?(\d{1,15})(?:\.(\d{1,8}))?$/;

/** A decimal string as an integer of 10^-decimals units; more decimals than that is refused (amounts are already rounded). */
export function toUnits(amount: string, decimals: number): bigint {
  const m = AMOUNT.exec(amount);
  if (!m) throw new ProrationError('invalid-amount', `${amount} is not a decimal amount`);
  const [, sign, whole, fraction = ''] = m;
  if (fraction.replace(/0+$/, '').length > decimals) throw new ProrationError('invalid-amount', `${amount} has more than ${decimals} decimals`);
  const units = BigInt(whole!) * 10n ** BigInt(decimals) + BigInt((fraction + '0'.repeat(decimals)).slice(0, decimals) || '0');
  return sign ? -units : units;
}

export function formatUnits(units: bigint, decimals: number): string {
  const negative = units < 0n;
  const digits = (negative ? -units : units).toString().padStart(decimals + 1, '0');
  const text = decimals === 0 ? digits : `${digits.slice(0, -decimals)}.${digits.slice(-decimals)}`;
  return negative && units !== 0n ? `-${text}` : text;
}

/** n / d rounded half away from zero (d > 0). */
export function divideHalfUp(n: bigint, d: bigint): bigint {
  const negative = n < 0n;
  const magnitude = negative ? -n : n;
  const q = (magnitude * 2n + d) / (2n * d);
  return negative ? -q : q;
}

export type ChargeTerm = { chargeType: 'one-time' | 'recurring'; period?: 'monthly' | 'annual' };

/**
 * A recurring charge's change per period (e.g. +10.00 a month) over the whole term of
 * `termMonths`, and prorated over what remains of it: periodDelta x periods x days remaining /
 * days in term, in one exact division, rounded once. Annual charges count termMonths / 12 periods.
 */
export function prorateRecurring(periodDelta: string, charge: ChargeTerm, termMonths: number, proration: Proration, decimals: number) {
  const delta = toUnits(periodDelta, decimals);
  const perYear = charge.period === 'annual' ? 12n : 1n;
  const months = BigInt(termMonths);
  const fullTerm = divideHalfUp(delta * months, perYear);
  const prorated = divideHalfUp(delta * months * BigInt(proration.daysRemaining), perYear * BigInt(proration.daysInTerm));
  const periods = charge.period === 'annual' ? `${termMonths}/12 years` : `${termMonths} months`;
  return {
    fullTermDelta: formatUnits(fullTerm, decimals),
    proratedDelta: formatUnits(prorated, decimals),
    reason: `${periodDelta} per ${charge.period === 'annual' ? 'year' : 'month'} x ${periods} = ${formatUnits(fullTerm, decimals)} over the term `
      + `${proration.termStart} to ${proration.termEnd}; from ${proration.changeDate}, ${proration.daysRemaining} of its ${proration.daysInTerm} days remain `
      + `(x ${proration.fraction} = ${proration.factor}): ${formatUnits(prorated, decimals)}, rounded half-up to ${decimals} decimals`,
  };
}
