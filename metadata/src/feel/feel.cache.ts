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
import type { FeelCompileOptions, FeelCompileResult, FeelDialect } from './feel.types';

export type FeelCache = {
  compile(source: string, dialect: FeelDialect, options?: FeelCompileOptions): FeelCompileResult;
  /** Number of distinct (dialect, names, source) compiled so far. */
  readonly size: number;
};

export function createFeelCache(): FeelCache {
  const entries = new Map<string, FeelCompileResult>();
  return {
    compile(source, dialect, options = {}) {
      const names = significantNames(options.names);
      const key = `${dialect}\u0000${names}\u0000${source}`;
      let result = entries.get(key);
      if (!result) {
        result = compileFeel(source, dialect, names === '' ? {} : options);
        entries.set(key, result);
      }
      return result;
    },
    get size() {
      return entries.size;
    },
  };
}
