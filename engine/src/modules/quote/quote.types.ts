import type { TransactionClient } from '@cpq/prisma';
import type { Principal } from '../../http/auth';

export type CommandContext = {
  principal: Principal;
  correlationId: string;
  /** The command's Idempotency-Key: the causationId of the events it writes. */
  commandId: string;
  expectedVersion?: number;
  /** Stores the command's answer for its Idempotency-Key in the command's own transaction. */
  complete?: (tx: TransactionClient, result: unknown) => Promise<void>;
};

export type NewQuote = { accountId: string; customerName: string; currency: string; termMonths: number; validDays?: number };
export type LineInput = {
  offering: string;
  quantity: number;
  selections: Record<string, unknown>;
  manualDiscount?: { percent?: string; amount?: string; reason: string };
};
export type AcceptInput = { documentId: string; onBehalfOf?: { evidence: string; channel: 'email' | 'signed-pdf' | 'phone' | 'in-person' } };

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
