import { evaluate, parseExpression, parseUnaryTests, unaryTest } from 'feelin';
import { expect, it } from 'vitest';
import type { FeelCompileResult, FeelDialect } from '../feel/feel.types';
import { validateReleaseSet } from '../registry';
import type { ItemRef, MetadataItem, MetadataKind, ValidationIssue } from '../types';
import { sampleCatalog } from './samples';

/**
 * Test support for the kinds (not a test file itself). `feelinCompile` stands in for the FEEL
 * compiler of ../feel in these tests: feelin's parser for the syntax check and the variables,
 * feelin's interpreter for evaluation. Validation only needs `ok`, `error` and `variables`.
 */
export function feelinCompile(source: string, dialect: FeelDialect): FeelCompileResult {
  const tree = dialect === 'expression' ? parseExpression(source, {}, undefined) : parseUnaryTests(source, {}, undefined);
  let error: { from: number; to: number } | undefined;
  const read = new Set<string>();
  const bound = new Set<string>();
  tree.iterate({
    enter(ref) {
      if (ref.type.isError && !error) error = { from: ref.from, to: ref.to };
      const parent = ref.node.parent;
      if (ref.name === 'VariableName' && !(parent?.name === 'FunctionInvocation' && ref.node.prevSibling === null)) {
        read.add(source.slice(ref.from, ref.to));
      }
      if (ref.name === 'Name' && parent && ['InExpression', 'FormalParameter'].includes(parent.name)) bound.add(source.slice(ref.from, ref.to));
    },
  });
  if (error) {
    const message = error.from >= source.length ? 'unexpected end of expression' : `unexpected ${JSON.stringify(source.slice(error.from, Math.max(error.to, error.from + 1)))}`;
    return { ok: false, error: { message, ...error } };
  }
  return {
    ok: true,
    compiled: {
      source,
      dialect,
      variables: [...read].filter((name) => !bound.has(name)),
      evaluate: (context) => (dialect === 'expression' ? evaluate(source, context) : unaryTest(source, context)).value,
    },
  };
}

export const validateWithFeelin = (items: MetadataItem[], base?: MetadataItem[]): Promise<ValidationIssue[]> =>
  validateReleaseSet(items, { compileFeel: feelinCompile, ...(base ? { base } : {}) });

/** The sample catalog with one item's content changed (on a deep copy). */
export function catalogWith<C>(ref: ItemRef, change: (content: C) => void): MetadataItem[] {
  return structuredClone(sampleCatalog()).map((item) => {
    if (item.kind === ref.kind && item.key === ref.key) change(item.content as C);
    return item;
  });
}

/** The (code, pointer) pairs of the issues on one item, for compact assertions. */
export function findings(issues: ValidationIssue[], ref: ItemRef): { code: string; pointer: string }[] {
  return issues.filter((i) => i.item.kind === ref.kind && i.item.key === ref.key).map(({ code, pointer }) => ({ code, pointer }));
}

/** A table row of invalid samples: a change to the valid sample and the issue it must produce. */
export type InvalidCase<C> = { name: string; change: (content: C) => void; code: string; pointer: string };

export const ref = (kind: MetadataKind, key: string): ItemRef => ({ kind, key });

/**
 * The standard tests of a kind: given the sample catalog, the item passes with no issue; given
 * each invalid change, validating the catalog reports the expected code at the expected pointer
 * on that item.
 */
export function kindCases<C>(item: ItemRef, cases: InvalidCase<C>[]): void {
  it('accepts the valid sample with no issue', async () => {
    expect(findings(await validateWithFeelin(sampleCatalog()), item)).toEqual([]);
  });
  it.each(cases)('$name: $code at "$pointer"', async ({ change, code, pointer }) => {
    const issues = await validateWithFeelin(catalogWith(item, change));
    expect(findings(issues, item)).toContainEqual({ code, pointer });
  });
}

/** Untyped write access for invalid samples (wrong types, unknown or missing fields). */
export const raw = (value: unknown): Record<string, unknown> => value as Record<string, unknown>;
