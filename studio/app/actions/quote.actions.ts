'use server';

import { revalidatePath } from 'next/cache';
import { callEngine } from '@/lib/engine-client';
import type { Problem, Result } from '@/lib/problem';
import type { AcceptInput, ApprovalPreview, ApprovalPreviewInput, ManualDiscountInput, NewLine, NewQuote } from '@/lib/quote-api';

/**
 * The quote lifecycle's commands as the rep's screens send them: each a fresh Idempotency-Key
 * (callEngine), If-Match with the quote version the screen showed where the contract takes it,
 * and the engine's answer or its problem+json as it came.
 */
export type Outcome<T> = { ok: true; data: T } | { ok: false; problem: Problem };

const outcome = <T>(result: Result<T>): Outcome<T> => (result.ok ? { ok: true, data: result.data } : { ok: false, problem: result.problem });
const quotePath = (quoteId: string) => `/quotes/${encodeURIComponent(quoteId)}`;

export async function createQuoteAction(quote: NewQuote): Promise<Outcome<{ quoteId: string; version: number }>> {
  const result = outcome(await callEngine<{ quoteId: string; version: number }>('POST', '/quotes', { body: quote }));
  if (result.ok) revalidatePath('/quotes');
  return result;
}

export type LineOutcome = Outcome<{ lineId: string; valid: boolean; version: number }>;

export async function addLineAction(quoteId: string, version: number, line: NewLine): Promise<LineOutcome> {
  const result = outcome(await callEngine<{ lineId: string; valid: boolean; version: number }>('POST', `${quotePath(quoteId)}/lines`, { body: line, ifMatch: version }));
  revalidatePath(quotePath(quoteId));
  return result;
}

export async function configureLineAction(
  quoteId: string, version: number, line: { lineId: string; quantity: number; selections: Record<string, unknown>; manualDiscount?: ManualDiscountInput | null },
): Promise<LineOutcome> {
  const result = outcome(await callEngine<{ lineId: string; valid: boolean; version: number }>('POST', `${quotePath(quoteId)}/commands/configure-line`, { body: line, ifMatch: version }));
  revalidatePath(quotePath(quoteId));
  return result;
}

/** A change quote's asset line disconnected (its recurring charges stop for the rest of the asset's term). */
export async function disconnectLineAction(quoteId: string, version: number, lineId: string): Promise<LineOutcome> {
  const result = outcome(await callEngine<{ lineId: string; valid: boolean; version: number }>('POST', `${quotePath(quoteId)}/commands/disconnect-line`, { body: { lineId }, ifMatch: version }));
  revalidatePath(quotePath(quoteId));
  return result;
}

export type LifecycleStep = 'price' | 'submit-for-approval' | 'generate-document' | 'revise';

/** A command without a body, against the version shown (a stale screen gets the engine's 409). */
export async function lifecycleAction(quoteId: string, version: number, step: LifecycleStep): Promise<Outcome<Record<string, unknown>>> {
  const result = outcome(await callEngine<Record<string, unknown>>('POST', `${quotePath(quoteId)}/commands/${step}`, { ifMatch: version }));
  revalidatePath(quotePath(quoteId));
  return result;
}

export async function withdrawAction(quoteId: string, version: number, reason: string): Promise<Outcome<{ state: string; version: number }>> {
  const result = outcome(await callEngine<{ state: string; version: number }>('POST', `${quotePath(quoteId)}/commands/withdraw`, { body: { reason }, ifMatch: version }));
  revalidatePath(quotePath(quoteId));
  return result;
}

/** Acceptance on the customer's behalf: the document shown and how the customer said yes. */
export async function acceptAction(quoteId: string, version: number, input: AcceptInput): Promise<Outcome<{ state: string; version: number }>> {
  const result = outcome(await callEngine<{ state: string; version: number }>('POST', `${quotePath(quoteId)}/commands/accept`, { body: input, ifMatch: version }));
  revalidatePath(quotePath(quoteId));
  return result;
}

/** Would these discounts need approval, and from whom: the engine prices and evaluates the policy, writing nothing. */
export async function previewApprovalAction(quoteId: string, lines: ApprovalPreviewInput['lines']): Promise<Outcome<ApprovalPreview>> {
  return outcome(await callEngine<ApprovalPreview>('POST', `${quotePath(quoteId)}/approval-preview`, { body: { lines } }));
}

/**
 * The order of an accepted quote (POST /orders/from-accepted-quote): what QuoteAccepted on Kafka
 * does in the platform, asked for by the rep where no order came yet. A second one is the
 * engine's 409 order-exists naming the first.
 */
export async function placeOrderAction(quoteId: string): Promise<Outcome<{ orderId: string; state: string }>> {
  const result = outcome(await callEngine<{ orderId: string; state: string }>('POST', '/orders/from-accepted-quote', { body: { quoteId } }));
  revalidatePath(quotePath(quoteId));
  return result;
}
