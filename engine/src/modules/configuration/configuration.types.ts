/**
 * The configurator's input and result (semantics in README.md). The result is a plain JSON value:
 * the same (release, input) always gives the same result, byte for byte, and `inputHash` names
 * the (release id, order-normalized input) it was computed from.
 */
import type { RuleSeverity } from '@cpq/metadata';

// --- input ----------------------------------------------------------------------------------

/** A bundle child: one of the bundle's options, how many, and the child's own selections. */
export type ChildInput = { offering: string; quantity: number; selections?: Record<string, unknown> };

/** What the configured line's rules may read besides its characteristics (CONFIGURATION_CONTEXT). */
export type ConfigurationContext = {
  quantity?: number;
  segment?: string;
  channel?: string;
  termMonths?: number;
  /** The other offerings on the same quote: requires / excludes rules look at them (and at the children). */
  quoteOfferings?: string[];
};

export type ConfigurationInput = {
  offering: string;
  /** Characteristic values by key; keys may arrive in any order. */
  selections: Record<string, unknown>;
  /**
   * Bundle children, at most one entry per offering. An option not listed takes its default
   * quantity; quantity 0 removes it. Absent: every option at its default quantity.
   */
  children?: ChildInput[];
  context?: ConfigurationContext;
};

// --- errors ---------------------------------------------------------------------------------

export const CONFIGURATION_ERROR_CODES = ['invalid-input', 'unknown-offering', 'invalid-quantity', 'duplicate-child'] as const;
export type ConfigurationErrorCode = (typeof CONFIGURATION_ERROR_CODES)[number];

/**
 * The input cannot be configured at all (not "configured and invalid", which is a result with
 * violations). `field` is a path into the input (`offering`, `children[2].quantity`), so the
 * HTTP edge answers 4xx naming it.
 */
export class ConfigurationInputError extends Error {
  constructor(
    readonly code: ConfigurationErrorCode,
    readonly field: string,
    message: string,
  ) {
    super(message);
    this.name = 'ConfigurationInputError';
  }
}

// --- result ---------------------------------------------------------------------------------

/**
 * Where a check comes from: a rule of a configuration-rule-set, or a built-in check of the
 * specification (unknown characteristic, type, domain, required), the offering (status,
 * eligibility) or the bundle (children, cardinalities, groups). `ruleSetKey` / `ruleVersion`
 * are that item's key and contentHash.
 */
export type IssueSource = 'configuration-rule-set' | 'product-specification' | 'product-offering' | 'bundle';

/**
 * One change of a fix:
 * - `line`: set the configured line's characteristic to `to` (`to` absent: remove the selection);
 * - `child`: with `characteristic`, set that bundle child's characteristic; without, set the
 *   child's quantity (`to` 0 removes it);
 * - `quote`: add (`to` 1) or remove (`to` 0) the offering among the quote's other offerings.
 * `applyFix` applies a fix to an input.
 */
export type FixChange =
  | { scope: 'line'; characteristic: string; from?: unknown; to?: unknown }
  | { scope: 'child'; offering: string; characteristic?: string; from?: unknown; to?: unknown }
  | { scope: 'quote'; offering: string; from: number; to: number };

export type Fix = { description: string; changes: FixChange[] };

export type ConfigurationIssue = {
  /** The rule's id, or a built-in code: `domain.<characteristic>`, `bundle.cardinality.<option>`... */
  ruleId: string;
  ruleSetKey: string;
  /** contentHash of the item the rule comes from. */
  ruleVersion: string;
  source: IssueSource;
  severity: RuleSeverity;
  /** The characteristics the rule reads (or the one it is about), of the line (or of `child`). */
  characteristics: string[];
  /** Offerings involved: missing (requires), present (excludes), the option (bundle checks). */
  offerings?: string[];
  /** The bundle child the issue is about (its offering; nested children as "a/b"); absent: the line. */
  child?: string;
  message: string;
  /** Each fix verified to remove this issue; the smallest first. Empty when none is known. */
  fixes: Fix[];
};

/** Inclusive bounds (null: unbounded); with a step, allowed values are min, min + step, ... */
export type NumericInterval = { min: number | null; max: number | null; step?: number };

/**
 * A value the screen should disable, and the rule that disables it. For numbers `value` is an
 * excluded interval `{ min, max }` at an end of the spec's range.
 */
export type DisabledValue = { value: unknown; ruleId: string; ruleSetKey: string; ruleVersion: string; message: string };

export type CharacteristicDomain = {
  /** enum and boolean: the values still allowed, in the spec's order; numbers: an interval ([] if none is). */
  allowed: unknown[] | NumericInterval;
  disabled: DisabledValue[];
};

/** A characteristic whose value a derived rule computed. */
export type Derivation = { characteristic: string; value: unknown; ruleId: string; ruleSetKey: string; ruleVersion: string; message: string };

export type NormalizedChild = { offering: string; quantity: number; selections: Record<string, unknown> };

export type NormalizedConfiguration = {
  /** The selections with defaults applied and derived values computed, keys sorted. */
  selections: Record<string, unknown>;
  /** Sorted by offering: every child with a quantity > 0, and explicit zeros that override a default. */
  children: NormalizedChild[];
};

export type ConfigurationResult = {
  /** No issue of severity error. */
  valid: boolean;
  releaseId: string;
  offering: string;
  normalized: NormalizedConfiguration;
  /** Enum, boolean, number and integer characteristics of the line, by key (free text and dates are not listed). */
  domains: Record<string, CharacteristicDomain>;
  derivations: Derivation[];
  /** Issues of severity error. */
  violations: ConfigurationIssue[];
  /** Issues of severity warning or info. */
  warnings: ConfigurationIssue[];
  /** sha256 of canonical JSON of { releaseId, input } (input order-normalized). */
  inputHash: string;
  /** sha256 of canonical JSON of the result without resultHash. */
  resultHash: string;
};
