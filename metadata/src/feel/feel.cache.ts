/**
 * Memoised compilation: one cache per published release, so each distinct (dialect, names in
 * scope, source) is parsed and compiled once however many rules, lines and requests use it
 * (STYLE habit 5). Failures are memoised too. The cache lives as long as its release; it is not
 * bounded. Only the names that can change a parse (with spaces, operators, keywords) are part
 * of the key, so rules over plain names (`quantity`, `termMonths`) share one entry whatever
 * else is in scope.
 */
import { compileFeel } from './feel.compiler';
import { significantNames } from './feel.names';
import type { FeelCompileOptions, FeelCompileResult, FeelDialect, FeelNames } from './feel.types';

export type FeelCache = {
  compile(source: string, dialect: FeelDialect, options?: FeelCompileOptions): FeelCompileResult;
  /** Number of distinct (dialect, names, source) compiled so far. */
  readonly size: number;
};

type Scope = Record<FeelDialect, Map<string, FeelCompileResult>>;

const emptyScope = (): Scope => ({ expression: new Map(), 'unary-tests': new Map() });

export function createFeelCache(): FeelCache {
  // names key -> dialect -> source, so a hit builds no string. Callers pass one names object
  // for many rules (a plan's scope): it is reduced to its key once, and the last one is kept.
  const scopes = new Map<string, Scope>([['', emptyScope()]]);
  const byNames = new WeakMap<object, { key: string; scope: Scope }>();
  const unscoped = scopes.get('')!;
  let last: { names: object; key: string; scope: Scope } | null = null;
  let size = 0;
  const scopeOf = (names: FeelNames): { key: string; scope: Scope } => {
    if (last?.names === names) return last;
    let found = byNames.get(names);
    if (!found) {
      const key = significantNames(names);
      let scope = scopes.get(key);
      if (!scope) scopes.set(key, (scope = emptyScope()));
      byNames.set(names, (found = { key, scope }));
    }
    last = { names, ...found };
    return found;
  };
  return {
    compile(source, dialect, options) {
      const names = options?.names;
      const { key, scope } = names === undefined ? { key: '', scope: unscoped } : scopeOf(names);
      const entries = scope[dialect];
      let result = entries.get(source);
      if (!result) {
        result = compileFeel(source, dialect, key === '' ? {} : options);
        entries.set(source, result);
        size++;
      }
      return result;
    },
    get size() {
      return size;
    },
  };
}
