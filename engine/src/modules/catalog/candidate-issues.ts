import { isBlocking, type ValidationIssue } from '@cpq/metadata';
import type { FieldError } from '../../http/errors';

/**
 * A candidate's validation issues as they travel: with their severity always said (issues
 * stored before severities existed are errors), and as the problem+json `errors` of every
 * refusal of an invalid candidate (field `items/<kind>/<key><pointer>`, rule = the issue code),
 * so a client refused at request-review or publish sees why without reading the candidate.
 */
export type CandidateIssue = ValidationIssue & { severity: 'error' | 'warning' };

export const withSeverity = (issues: ValidationIssue[]): CandidateIssue[] =>
  issues.map((issue) => ({ ...issue, severity: issue.severity ?? 'error' }));

export const blockingErrors = (issues: ValidationIssue[]): FieldError[] =>
  issues.filter(isBlocking).map((issue) => ({
    field: `items/${issue.item.kind}/${issue.item.key}${issue.pointer}`, rule: issue.code, message: issue.message,
  }));

/** The detail of a refusal of an invalid candidate: how many problems block it. */
export const invalidDetail = (doing: string, issues: ValidationIssue[]): string =>
  `cannot ${doing} an invalid candidate: ${issues.filter(isBlocking).length} problem(s) block it (listed in errors); fix the drafts and create a new candidate`;
