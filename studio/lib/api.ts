import type { ApiSchema } from '@cpq/contracts/api-types';

/** The contract's shapes the studio reads (generated from contracts/openapi/admin-api.yaml). */
export type Draft = ApiSchema<'Draft'>;
export type Candidate = ApiSchema<'Candidate'>;
export type ReleaseHeader = ApiSchema<'ReleaseHeader'>;
export type Release = ApiSchema<'Release'>;
export type ValidationIssue = ApiSchema<'ValidationIssue'>;
export type CandidateSummary = ApiSchema<'CandidateSummary'>;
export type KindInfo = ApiSchema<'MetadataKindInfo'>;
export type MetadataKind = ApiSchema<'MetadataKind'>;
export type JsonObject = Record<string, unknown>;
/** The impact preview (getReleaseCandidateImpact): recent quotes replayed against the candidate. */
export type Impact = {
  candidateId: string;
  baseReleaseId: string | null;
  quotesReplayed: number;
  summary: Record<string, number>;
  quotes: { quoteId?: string; revision?: number; delta?: string | null; invalidLines?: unknown[]; newlyRequiredApprovals?: string[]; error?: string }[];
};
