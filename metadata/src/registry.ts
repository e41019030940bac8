import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import { significantNames } from './feel/feel.names';
import type { FeelCompileOptions, FeelCompileResult, FeelDialect } from './feel/feel.types';
import { approvalPolicyKind } from './kinds/approval-policy.kind';
import { bpmnModelKind } from './kinds/bpmn-model.kind';
import { bundleKind } from './kinds/bundle.kind';
import { configurationRuleSetKind } from './kinds/configuration-rule-set.kind';
import { discountScheduleKind } from './kinds/discount-schedule.kind';
import { dmnModelKind } from './kinds/dmn-model.kind';
import { fulfillmentDecompositionMapKind } from './kinds/fulfillment-decomposition-map.kind';
import { priceBookKind } from './kinds/price-book.kind';
import { pricingRuleSetKind } from './kinds/pricing-rule-set.kind';
import { productOfferingKind } from './kinds/product-offering.kind';
import { productSpecificationKind } from './kinds/product-specification.kind';
import { quoteScreenLayoutKind } from './kinds/quote-screen-layout.kind';
import type { IssueCode } from './kinds/issue-codes';
import { KEY_PATTERN, key as itemKeySchema } from './kinds/schema-parts';
import type { ItemRef, KindDefinition, MetadataItem, MetadataKind, SemanticContext, ValidationIssue } from './types';

/**
 * Every metadata kind, one entry each: a kind missing here (or an entry under the wrong name)
 * fails to compile, so adding a kind is this line plus its <kind>.kind.ts.
 */
export const registry: Record<MetadataKind, KindDefinition> = {
  'product-specification': productSpecificationKind,
  'product-offering': productOfferingKind,
  bundle: bundleKind,
  'configuration-rule-set': configurationRuleSetKind,
  'price-book': priceBookKind,
  'pricing-rule-set': pricingRuleSetKind,
  'discount-schedule': discountScheduleKind,
  'approval-policy': approvalPolicyKind,
  'quote-screen-layout': quoteScreenLayoutKind,
  'bpmn-model': bpmnModelKind,
  'dmn-model': dmnModelKind,
  'fulfillment-decomposition-map': fulfillmentDecompositionMapKind,
};

export const METADATA_KINDS = Object.keys(registry) as MetadataKind[];

/** The rule for item keys as a JSON Schema; the API contracts' ItemKey must equal it (drift test). */
export const ITEM_KEY_SCHEMA: Readonly<Record<string, unknown>> = itemKeySchema;

/** Content nested deeper than this is refused before any schema runs (untrusted input). */
export const MAX_CONTENT_DEPTH = 32;

export type CompileFeel = (source: string, dialect: FeelDialect, options?: FeelCompileOptions) => FeelCompileResult;

// Schemas are ours (not user-authored), compiled once at module load; strict mode makes a
// mistake in one of them fail at startup rather than let content through.
const ajv = new Ajv2020({ allErrors: true, strict: true, discriminator: true });
(addFormats as unknown as (instance: Ajv2020) => void)(ajv);
const validators = Object.fromEntries(
  METADATA_KINDS.map((kind) => [kind, ajv.compile(registry[kind].schema)]),
) as Record<MetadataKind, ValidateFunction>;

const KEY = new RegExp(KEY_PATTERN);

function issueOf(item: ItemRef, pointer: string, code: IssueCode, message: string): ValidationIssue {
  return { item: { kind: item.kind, key: item.key }, pointer, code, message };
}

function isKind(kind: unknown): kind is MetadataKind {
  return typeof kind === 'string' && Object.hasOwn(registry, kind);
}

/**
 * The first bound the content breaks: nesting deeper than `maxDepth` (with its pointer), or a
 * lower bound of its serialized size already over `maxBytes`. Iterative and stopping early, so
 * hostile content (deeply nested, huge, or self-referencing) costs at most ~maxBytes of work and
 * never reaches JSON.stringify (which recurses) or ajv.
 */
function breaksBounds(content: unknown, maxDepth: number, maxBytes: number): { code: 'content.too-deep'; at: string } | { code: 'content.too-large' } | undefined {
  const stack: { value: unknown; depth: number; at: string }[] = [{ value: content, depth: 1, at: '' }];
  let bytes = 0;
  while (stack.length > 0) {
    const { value, depth, at } = stack.pop() as { value: unknown; depth: number; at: string };
    // UTF-16 length never exceeds the UTF-8 byte length, so this sum is a lower bound.
    bytes += typeof value === 'string' ? value.length + 2 : 1;
    if (bytes > maxBytes) return { code: 'content.too-large' };
    if (typeof value !== 'object' || value === null) continue;
    if (depth > maxDepth) return { code: 'content.too-deep', at };
    const array = Array.isArray(value);
    const keys = array ? value.keys() : Object.keys(value);
    for (const k of keys) {
      bytes += array ? 1 : String(k).length + 3;
      if (bytes > maxBytes) return { code: 'content.too-large' };
      const child = (value as Record<string, unknown>)[k];
      stack.push({ value: child, depth: depth + 1, at: `${at}/${String(k).replaceAll('~', '~0').replaceAll('/', '~1')}` });
    }
  }
  return undefined;
}

function schemaMessage(error: ErrorObject): string {
  const where = error.instancePath || 'the content';
  const params = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties':
      return `${where}: property "${String(params.additionalProperty)}" is not allowed`;
    case 'required':
      return `${where}: property "${String(params.missingProperty)}" is required`;
    case 'enum':
      return `${where} must be one of ${JSON.stringify(params.allowedValues)}`;
    default:
      return `${where} ${error.message ?? 'is invalid'}`;
  }
}

/**
 * Checks one item's envelope and content against its kind's schema. The content is untrusted:
 * nesting deeper than MAX_CONTENT_DEPTH or a JSON serialization over the kind's maxBytes is
 * refused before ajv sees it (codes `content.too-deep`, `content.too-large`). Schema errors have code
 * `schema.<ajv keyword>` and ajv's instancePath as pointer.
 */
export function validateItemShape(item: MetadataItem): ValidationIssue[] {
  const issue = (pointer: string, code: IssueCode, message: string) => issueOf(item, pointer, code, message);
  if (!isKind(item.kind)) return [issue('', 'item.kind', `unknown metadata kind ${JSON.stringify(item.kind)}`)];
  const issues: ValidationIssue[] = [];
  if (typeof item.key !== 'string' || item.key.length > 64 || !KEY.test(item.key)) {
    issues.push(issue('', 'item.key', `key ${JSON.stringify(item.key)} is not a kebab-case key of at most 64 characters`));
  }
  const { maxBytes } = registry[item.kind];
  const broken = breaksBounds(item.content, MAX_CONTENT_DEPTH, maxBytes);
  if (broken?.code === 'content.too-deep') return [...issues, issue(broken.at, broken.code, `content is nested deeper than ${MAX_CONTENT_DEPTH} levels`)];
  const bytes = broken ? Infinity : Buffer.byteLength(JSON.stringify(item.content) ?? '', 'utf8');
  if (bytes > maxBytes) return [...issues, issue('', 'content.too-large', `content is over the ${maxBytes} bytes a ${item.kind} may hold`)];

  const validate = validators[item.kind];
  if (!validate(item.content)) {
    for (const error of validate.errors ?? []) issues.push(issue(error.instancePath, `schema.${error.keyword}`, schemaMessage(error)));
  }
  return issues;
}

export type ValidateReleaseSetOptions = {
  /** The current release: items of the set may refer to them; they are not validated again. */
  base?: MetadataItem[];
  /** The FEEL compiler (../feel), passed in so callers share their compile cache. */
  compileFeel: CompileFeel;
};

const id = (ref: ItemRef) => `${ref.kind}/${ref.key}`;

/**
 * Validates a release candidate and returns every issue across the set: shape, duplicate
 * (kind, key) in the set (`item.duplicate`), references resolving within the set and the base
 * (`reference.unresolved`), FEEL expressions compiling (`feel.syntax`, at the expression), then
 * each kind's semantic validator. An item of the set replaces the base item of the same
 * (kind, key). Items whose shape is invalid are reported but not checked further, and other
 * items' validators do not see their content (their references still count as resolved).
 */
export async function validateReleaseSet(items: MetadataItem[], options: ValidateReleaseSetOptions): Promise<ValidationIssue[]> {
  const issues: ValidationIssue[] = [];
  const inSet = new Map<string, MetadataItem>();
  const valid: MetadataItem[] = [];
  for (const item of items) {
    const shape = validateItemShape(item);
    issues.push(...shape);
    if (inSet.has(id(item))) {
      issues.push(issueOf(item, '', 'item.duplicate', `${id(item)} appears more than once in the release set`));
      continue;
    }
    inSet.set(id(item), item);
    if (shape.length === 0) valid.push(item);
  }

  const exists = new Set([...(options.base ?? []).map(id), ...inSet.keys()]);
  const visible = new Map<string, MetadataItem>((options.base ?? []).map((item) => [id(item), item]));
  for (const key of inSet.keys()) visible.delete(key);
  for (const item of valid) visible.set(id(item), item);

  const compiled = new Map<string, FeelCompileResult>();
  const compileFeel: CompileFeel = (source, dialect, feelOptions) => {
    // Only the names that can change a parse are part of the key (feel/feel.names.ts).
    const cacheKey = `${dialect}\u0000${significantNames(feelOptions?.names)}\u0000${source}`;
    let result = compiled.get(cacheKey);
    if (!result) {
      try {
        result = feelOptions ? options.compileFeel(source, dialect, feelOptions) : options.compileFeel(source, dialect);
      } catch (error) {
        result = { ok: false, error: { message: error instanceof Error ? error.message : String(error), from: 0, to: source.length } };
      }
      compiled.set(cacheKey, result);
    }
    return result;
  };
  const context: SemanticContext = {
    resolve: <C>(ref: ItemRef) => visible.get(id(ref)) as MetadataItem<C> | undefined,
    items: (kind?: MetadataKind) => [...visible.values()].filter((item) => kind === undefined || item.kind === kind),
    compileFeel,
  };

  for (const item of valid) {
    const definition = registry[item.kind];
    for (const reference of definition.references(item.content)) {
      if (!exists.has(id(reference.target))) {
        issues.push(issueOf(item, reference.pointer, 'reference.unresolved', `${id(reference.target)} is neither in the release set nor in the current release`));
      }
    }
    for (const site of definition.expressions(item.content)) {
      const result = compileFeel(site.source, site.dialect);
      if (!result.ok) {
        const { message, from, to } = result.error;
        const span = to > from ? `${from}-${to}` : `${from}`;
        issues.push(issueOf(item, site.pointer, 'feel.syntax', `FEEL does not parse at offset ${span} of ${JSON.stringify(site.source)}: ${message}`));
      }
    }
    try {
      issues.push(...(await definition.validate(item, context)));
    } catch (error) {
      // Validators never throw by contract; if one does, the set is not publishable either way.
      issues.push(issueOf(item, '', 'validator.failed', `the ${item.kind} validator failed: ${error instanceof Error ? error.message : String(error)}`));
    }
  }
  return issues;
}
