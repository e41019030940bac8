/**
 * `value instance of T` (DMN 1.5 10.3.2.9): T compiled once into a test. Named types as
 * feelin checks them (`Any` is anything but null, `Null` only null, the two duration kinds
 * apart), `list<T>`, `context<k: T>` (the entries named, others allowed), `function<...>->T`
 * (any function), and `range<T>` (a range of that element type), which lezer-feel does not
 * parse: feel.tree.ts reads it as a list type and marks it `RangeType`. A name that is no FEEL
 * type resolves in the scope, as in feelin (a JS class: `instanceof`).
 */
import { FeelDuration, FeelFunction, FeelRange } from 'feelin';
import type { FeelNode } from './feel.tree';
import { getType, lookup, nameRef, type Dict } from './feel.runtime';

export type TypeTest = (value: unknown, scope: Dict) => boolean;

const isDuration = (value: unknown, yearsMonths: boolean) => value instanceof FeelDuration && value.yearsMonths === yearsMonths;

const NAMED: Record<string, (value: unknown) => boolean> = {
  Any: (value) => value !== null && value !== undefined,
  Null: (value) => value === null || value === undefined,
  number: (value) => getType(value) === 'number',
  string: (value) => getType(value) === 'string',
  boolean: (value) => getType(value) === 'boolean',
  date: (value) => getType(value) === 'date',
  time: (value) => getType(value) === 'time',
  'date and time': (value) => getType(value) === 'date time',
  duration: (value) => getType(value) === 'duration',
  'days and time duration': (value) => isDuration(value, false),
  'years and months duration': (value) => isDuration(value, true),
  context: (value) => getType(value) === 'context',
  list: (value) => getType(value) === 'list',
  range: (value) => getType(value) === 'range',
  function: (value) => getType(value) === 'function',
};

const normalise = (text: string) => text.replace(/\s+/g, ' ').trim();

/** The test for a `Type` node (or the node under it); throws for shapes it does not know. */
export function compileType(node: FeelNode, name: (node: FeelNode) => string): TypeTest {
  const inner = node.name === 'Type' ? node.children[0] : node;
  if (!inner) throw new Error('empty type');
  switch (inner.name) {
    case 'SpecialType':
    case 'QualifiedName': {
      const typeName = normalise(inner.text);
      const check = NAMED[typeName];
      if (check) return (value) => check(value);
      const parts = inner.children.filter((c) => c.name === 'VariableName').map((c) => nameRef(name(c)));
      return (value, scope) => {
        let target: unknown = scope;
        for (const part of parts) target = lookup(part, target);
        return typeof target === 'function' && value instanceof target;
      };
    }
    case 'ListType': {
      const element = compileType(childType(inner), name);
      return (value, scope) => Array.isArray(value) && value.every((item) => element(item, scope));
    }
    case 'RangeType': {
      const element = compileType(childType(inner), name);
      return (value, scope) => {
        if (!(value instanceof FeelRange)) return false;
        const ends = [value.start, value.end].filter((end) => end !== null && end !== undefined);
        return ends.length > 0 && ends.every((end) => element(end, scope));
      };
    }
    case 'ContextType': {
      const entries = (inner.children.find((c) => c.name === 'ContextEntryTypes')?.children ?? [])
        .filter((c) => c.name === 'ContextEntryType')
        .map((entry) => ({ key: nameRef(normalise(entry.children[0]!.text)), test: compileType(childType(entry), name) }));
      return (value, scope) => getType(value) === 'context'
        && entries.every(({ key, test }) => {
          const found = lookup(key, value as Dict);
          return found !== undefined && test(found, scope);
        });
    }
    case 'FunctionType':
      return (value) => value instanceof FeelFunction || typeof value === 'function';
    default:
      throw new Error(`type ${inner.name}`);
  }
}

function childType(node: FeelNode): FeelNode {
  const type = node.children.find((c) => c.name === 'Type');
  if (!type) throw new Error(`${node.name} without a type`);
  return type;
}
