import type { ApiSchema } from '@cpq/contracts/api-types';

/** The contract's shapes the studio reads (generated from contracts/openapi/admin-api.yaml). */
export type Draft = ApiSchema<'Draft'>;
export type Candidate = ApiSchema<'Candidate'>;
export type ReleaseHeader = ApiSchema<'ReleaseHeader'>;
export type Release = ApiSchema<'Release'>;
export type ValidationIssue = ApiSchema<'ValidationIssue'>;
export type KindInfo = ApiSchema<'MetadataKindInfo'>;
export type MetadataKind = ApiSchema<'MetadataKind'>;
export type JsonObject = Record<string, unknown>;
