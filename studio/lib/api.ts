import type { ApiSchema, ResponseOf } from '@cpq/contracts/api-types';

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
export type Impact = ResponseOf<'getReleaseCandidateImpact'>;
export type QuoteImpact = ApiSchema<'QuoteImpact'>;
/** A candidate against the current release, item by item with both contents (diffReleaseCandidate). */
export type CandidateDiff = ApiSchema<'CandidateDiff'>;
export type CandidateItemDiff = CandidateDiff['items'][number];
export type FieldChange = ApiSchema<'FieldChange'>;
/** Who changed what and when (getItemAudit, getReleaseAudit). */
export type AuditEntry = ApiSchema<'MetadataAuditEntry'>;
