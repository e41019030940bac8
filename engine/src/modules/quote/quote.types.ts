import type { BodyOf } from '@cpq/contracts/api-types';
import type { RawTx } from '../../lib/sql-transaction';
import type { Principal } from '../../http/auth';

export type CommandContext = {
  principal: Principal;
  correlationId: string;
  /** The command's Idempotency-Key: the causationId of the events it writes. */
  commandId: string;
  expectedVersion?: number;
  /** Stores the command's answer for its Idempotency-Key in the command's own transaction. */
  complete?: (tx: RawTx, result: unknown) => Promise<void>;
};

// Command inputs are the contract's request bodies (contracts/src/generated/api.ts).
export type NewQuote = BodyOf<'createQuote'>;
export type LineInput = BodyOf<'addQuoteLine'>;
export type AcceptInput = BodyOf<'acceptQuote'>;

// The views stay hand-written: they are more precise than the contract's Quote, whose
// `revision` is an open object (the routes check that each view is assignable to it).
export type LineView = {
  lineId: string; position: number; offering: string; quantity: number; selections: Record<string, unknown>;
  configurationValid: boolean | null; configurationHash: string | null; violations: unknown[]; releaseId: string;
  manualDiscount: unknown;
};
export type RevisionView = {
  revision: number; state: string; releaseId: string; materialVersion: number; priceResultId: string | null;
  priceFresh: boolean; approvalFresh: boolean; validUntil: string; documentId: string | null;
  submittedBy: string | null; acceptedBy: string | null; acceptedAt: string | null; lines: LineView[];
  totals: unknown;
};
export type QuoteView = {
  quoteId: string; accountId: string; customerName: string; ownerId: string; team: string | null; currency: string;
  termMonths: number; currentRevision: number; version: number; createdAt: string; revision: RevisionView;
};
