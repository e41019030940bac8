import type { FeelCompileOptions, FeelCompileResult, FeelDialect } from './feel/feel.types';

/**
 * The metadata model's shared types. Every metadata kind is one entry in the registry
 * (src/registry.ts): its JSON Schema, the references it makes, the FEEL expressions it holds,
 * and its semantic validator. Adding a kind is one entry, not wiring across many files.
 */
export type MetadataKind =
  | 'product-specification'
  | 'product-offering'
  | 'bundle'
  | 'configuration-rule-set'
  | 'price-book'
  | 'pricing-rule-set'
  | 'discount-schedule'
  | 'approval-policy'
  | 'quote-screen-layout'
  | 'bpmn-model'
  | 'dmn-model'
  | 'fulfillment-decomposition-map';

/** Items are named by (kind, key); the key is stable across versions, e.g. "business-internet". */
export type ItemRef = { kind: MetadataKind; key: string };

export type MetadataItem<C = unknown> = ItemRef & { content: C };

/**
 * One validation problem. `pointer` is a JSON pointer into the item's content ("" for the item
 * itself); `code` is stable (e.g. "schema.required", "reference.unresolved", "feel.syntax",
 * "cycle", "currency.mismatch", "bpmn.lint"); `message` is for a person. `severity: 'warning'`
 * is advice (style, e.g. a BPMN element without a label): shown, never blocking. An issue
 * without a severity is an error: it makes the release set invalid.
 */
export type IssueSeverity = 'error' | 'warning';
export type ValidationIssue = {
  item: ItemRef; pointer: string; code: string; message: string; severity?: IssueSeverity;
  /** The BPMN/DMN element at fault (its id in the XML) when the issue is about one element: the studio marks it in the modeler. */
  elementId?: string;
};

/** Whether an issue blocks the release set (every issue but a warning does). */
export const isBlocking = (issue: ValidationIssue): boolean => issue.severity !== 'warning';

/** A reference from one item to another, found at `pointer` in the referring item. */
export type Reference = { pointer: string; target: ItemRef };

/** A FEEL expression held by an item, found at `pointer`. */
export type ExpressionSite = { pointer: string; source: string; dialect: FeelDialect };

/** What a semantic validator may look at: the other items of the release set being validated. */
export type SemanticContext = {
  resolve<C = unknown>(ref: ItemRef): MetadataItem<C> | undefined;
  items(kind?: MetadataKind): MetadataItem[];
  /** `options.names`: the names in scope where the expression sits (see FeelNames). */
  compileFeel(source: string, dialect: FeelDialect, options?: FeelCompileOptions): FeelCompileResult;
};

export type KindDefinition<C = unknown> = {
  kind: MetadataKind;
  title: string;
  /** JSON Schema 2020-12 with a stable $id (also written to metadata/schemas/<kind>.schema.json). */
  schema: Record<string, unknown>;
  /** Upper bound of the serialized content, in bytes (untrusted, studio-authored input). */
  maxBytes: number;
  references(content: C): Reference[];
  expressions(content: C): ExpressionSite[];
  /** Checks beyond the schema: returns every issue (pointer, code, message), never throws. */
  validate(item: MetadataItem<C>, context: SemanticContext): ValidationIssue[] | Promise<ValidationIssue[]>;
};
