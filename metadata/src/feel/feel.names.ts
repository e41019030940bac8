/**
 * Which names in scope can change how FEEL parses. A plain identifier (`quantity`) is read the
 * same with or without it in scope; a name with spaces, operators or other characters
 * (`Date-Time`, `static ip count`), or one spelt like a FEEL keyword (`for`, `between`), is read
 * as one name only when the parser knows it. Caches key compiled expressions by these alone.
 */
import type { FeelNames } from './feel.types';

const PLAIN = /^[A-Za-z_][A-Za-z0-9_]*$/;
const KEYWORDS = new Set([
  'and', 'or', 'not', 'true', 'false', 'null', 'if', 'then', 'else', 'for', 'in', 'return', 'some', 'every', 'satisfies',
  'between', 'instance', 'of', 'function', 'external', 'date', 'time', 'duration', 'list', 'context', 'range',
]);

export function isSignificantName(name: string): boolean {
  return !PLAIN.test(name) || KEYWORDS.has(name);
}

/** The significant names (nested ones as paths), sorted and joined: '' when none. */
export function significantNames(names: FeelNames | undefined): string {
  if (!names) return '';
  const found: string[] = [];
  const visit = (shape: FeelNames, prefix: string, depth: number): void => {
    if (Array.isArray(shape)) {
      for (const name of shape as readonly string[]) if (isSignificantName(name)) found.push(prefix + name);
      return;
    }
    for (const [name, value] of Object.entries(shape)) {
      if (isSignificantName(name)) found.push(prefix + name);
      if (depth < 8 && value !== null && typeof value === 'object' && Object.getPrototypeOf(value) === Object.prototype) {
        visit(value as FeelNames, `${prefix}${name}\u0002`, depth + 1);
      }
    }
  };
  visit(names, '', 0);
  return found.sort().join('\u0001');
}
