/**
 * Parses FEEL with feelin's own Lezer parser and turns the tree into plain nodes, reporting the
 * first syntax error exactly as feelin's interpreter does (same message, same position), and
 * refusing input beyond the size and depth we accept from the studio (STYLE habit 5).
 */
import { parseExpression, parseUnaryTests } from 'feelin';
import { isSignificantName } from './feel.names';
import type { FeelDialect, FeelNames, FeelSyntaxError } from './feel.types';

type Tree = ReturnType<typeof parseExpression>;
type IterateSpec = Parameters<Tree['iterate']>[0];
type NodeRef = Parameters<IterateSpec['enter']>[0];
type SyntaxNode = Tree['topNode'];

/** A parse-tree node as feelin's interpreter sees it: named, non-skipped, with its text. */
export type FeelNode = { name: string; from: number; to: number; text: string; children: FeelNode[] };

/** Longest source accepted; rule conditions are a line or two. */
export const MAX_SOURCE_LENGTH = 10_000;
/** Deepest parse tree accepted: compiled closures recurse once per level. */
export const MAX_TREE_DEPTH = 200;

export type ParseResult = { ok: true; root: FeelNode } | { ok: false; error: FeelSyntaxError };

class StopWalk {
  constructor(readonly error: FeelSyntaxError) {}
}

/**
 * The names in scope as the context shape lezer-feel's variable tracker reads (keys only); of a
 * list, only the names that can change a parse (the tracker's cost grows with every name).
 */
export function scopeShape(names: FeelNames | undefined): Record<string, unknown> {
  if (!names) return {};
  if (Array.isArray(names)) return Object.fromEntries((names as readonly string[]).filter(isSignificantName).map((name) => [name, null]));
  return names as Record<string, unknown>;
}

/**
 * `names`: the names in scope. lezer-feel reads a name containing spaces, keywords or operators
 * as one VariableName (children per word) only when it is in scope, as feelin does with the keys
 * of its evaluation context; without them `Date-Time` parses as a subtraction.
 */
export function parseFeel(source: string, dialect: FeelDialect, names?: FeelNames): ParseResult {
  if (source.length > MAX_SOURCE_LENGTH) {
    return { ok: false, error: { message: `Expression longer than ${MAX_SOURCE_LENGTH} characters`, from: MAX_SOURCE_LENGTH, to: source.length } };
  }
  const shape = scopeShape(names);
  const { text, rangeTypes } = rewriteRangeTypes(source);
  const tree = dialect === 'unary-tests' ? parseUnaryTests(text, shape, undefined) : parseExpression(text, shape, undefined);
  const root: FeelNode = { name: '__ROOT', from: 0, to: source.length, text: source, children: [] };
  const stack: FeelNode[] = [root];
  try {
    // The same walk as feelin's Interpreter#_buildExecutionTree: the first error node met in
    // document order is the one reported; skipped nodes (comments) vanish with their children.
    tree.iterate({
      enter(ref: NodeRef) {
        if (ref.type.isError) throw new StopWalk(lintError(ref));
        if (ref.type.isSkipped) return false;
        if (stack.length > MAX_TREE_DEPTH) {
          throw new StopWalk({ message: `Expression nested deeper than ${MAX_TREE_DEPTH} levels`, from: ref.from, to: ref.to });
        }
        const name = ref.name === 'ListType' && rangeTypes.has(ref.from) ? 'RangeType' : ref.name;
        stack.push({ name, from: ref.from, to: ref.to, text: source.slice(ref.from, ref.to), children: [] });
        return undefined;
      },
      leave(ref: NodeRef) {
        if (ref.type.isSkipped) return;
        const node = stack.pop()!;
        stack[stack.length - 1]!.children.push(node);
      },
    });
  } catch (err) {
    if (err instanceof StopWalk) return { ok: false, error: err.error };
    throw err;
  }
  const top = root.children[root.children.length - 1];
  if (!top) return { ok: false, error: { message: 'Empty parse tree', from: 0, to: source.length } };
  return { ok: true, root: top };
}

/**
 * DMN 1.5 `range<T>` types (`x instance of range<number>`), which lezer-feel does not parse: the
 * word `range` in a type position is read as `list ` (same length, so every position holds) and
 * the list type starting there is renamed `RangeType`.
 */
function rewriteRangeTypes(source: string): { text: string; rangeTypes: Set<number> } {
  const rangeTypes = new Set<number>();
  if (!/\binstance\s+of\b/.test(source)) return { text: source, rangeTypes };
  const text = source.replace(/(?<=(?:\bof|[<,:])\s*)range(?=\s*<)/g, (_word, offset: number) => {
    rangeTypes.add(offset);
    return 'list ';
  });
  return { text, rangeTypes };
}

/** feelin `lintErrorDetails`. */
function lintError(ref: NodeRef): FeelSyntaxError {
  const node = ref.node;
  const parent = node.parent;
  const parentName = parent?.name ?? '';
  if (node.from !== node.to) return { message: `Unrecognized token in <${parentName}>`, from: node.from, to: node.to };
  const next = findNext(node);
  if (next) return { message: `Unrecognized token <${next.name}> in <${parentName}>`, from: next.from, to: next.to };
  const unfinished = parent?.enterUnfinishedNodesBefore(ref.to);
  return { message: `Incomplete <${(unfinished ?? parent)?.name ?? ''}>`, from: node.from, to: node.to };
}

function findNext(node: SyntaxNode): SyntaxNode | null {
  let parent: SyntaxNode | null = node;
  do {
    const next: SyntaxNode | null = parent.nextSibling;
    if (next) return next;
    parent = parent.parent;
  } while (parent);
  return null;
}
