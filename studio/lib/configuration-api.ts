/**
 * The configuration preview's answer (POST /configurations/evaluate), the fields the
 * configurator draws. The contract names the required keys and leaves the result open; these
 * mirror engine/src/modules/configuration/configuration.types.ts.
 */
export type FixChange =
  | { scope: 'line'; characteristic: string; from?: unknown; to?: unknown }
  | { scope: 'child'; offering: string; characteristic?: string; from?: unknown; to?: unknown }
  | { scope: 'quote'; offering: string; from: number; to: number };

export type Fix = { description: string; changes: FixChange[] };

export type ConfigurationIssue = {
  ruleId: string;
  ruleSetKey: string;
  ruleVersion: string;
  source: 'configuration-rule-set' | 'product-specification' | 'product-offering' | 'bundle';
  severity: 'error' | 'warning' | 'info';
  characteristics: string[];
  offerings?: string[];
  child?: string;
  message: string;
  fixes: Fix[];
};

export type NumericInterval = { min: number | null; max: number | null; step?: number };
export type DisabledValue = { value: unknown; ruleId: string; ruleSetKey: string; ruleVersion: string; message: string };
export type CharacteristicDomain = { allowed: unknown[] | NumericInterval; disabled: DisabledValue[] };
export type Derivation = { characteristic: string; value: unknown; ruleId: string; ruleSetKey: string; ruleVersion: string; message: string };

export type ConfigurationResult = {
  valid: boolean;
  releaseId: string;
  offering: string;
  normalized: { selections: Record<string, unknown>; children: { offering: string; quantity: number; selections: Record<string, unknown> }[] };
  domains: Record<string, CharacteristicDomain>;
  derivations: Derivation[];
  violations: ConfigurationIssue[];
  warnings: ConfigurationIssue[];
  inputHash: string;
  resultHash: string;
};

export type ChildInput = { offering: string; quantity: number; selections?: Record<string, unknown> };

export type PreviewInput = {
  releaseId: string;
  offering: string;
  selections: Record<string, unknown>;
  children?: ChildInput[];
  context?: { quantity?: number; termMonths?: number; quoteOfferings?: string[]; segment?: string; channel?: string };
};
