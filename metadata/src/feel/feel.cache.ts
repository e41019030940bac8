/**
 * Memoised compilation: one cache per published release, so each distinct (dialect, source)
 * is parsed and compiled once however many rules, lines and requests use it (STYLE habit 5).
 * Failures are memoised too. The cache lives as long as its release; it is not bounded.
 */
import { compileFeel } from './feel.compiler';
import type { FeelCompileResult, FeelDialect } from './feel.types';

export type FeelCache = {
  compile(source: string, dialect: FeelDialect): FeelCompileResult;
  /** Number of distinct (dialect, source) pairs compiled so far. */
  readonly size: number;
};

export function createFeelCache(): FeelCache {
  const byDialect: Record<FeelDialect, Map<string, FeelCompileResult>> = { expression: new Map(), 'unary-tests': new Map() };
  return {
    compile(source, dialect) {
      const entries = byDialect[dialect];
      let result = entries.get(source);
      if (!result) {
        result = compileFeel(source, dialect);
        entries.set(source, result);
      }
      return result;
    },
    get size() {
      return byDialect.expression.size + byDialect['unary-tests'].size;
    },
  };
}
