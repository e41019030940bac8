import type { ValidationIssue } from '@/lib/api';

/** A candidate's validation issue on one model, as the modeler shows it. */
export type ModelIssue = Pick<ValidationIssue, 'code' | 'message' | 'severity' | 'pointer'> & { elementId?: string };

/** The issues of one item among a candidate's (the engine lists every item's together). */
export function issuesOfItem(issues: readonly ValidationIssue[], kind: string, key: string): ModelIssue[] {
  return issues
    .filter((i) => i.item.kind === kind && i.item.key === key)
    .map(({ code, message, severity, pointer, elementId }) => ({ code, message, severity, pointer, ...(elementId ? { elementId } : {}) }));
}

/** Errors first, then warnings; within each, the engine's order (stable). */
export function byGravity(issues: readonly ModelIssue[]): ModelIssue[] {
  return [...issues].sort((a, b) => Number(a.severity === 'warning') - Number(b.severity === 'warning'));
}

/** For each element at fault, the gravest severity of its issues and their messages (a marker and a badge per element). */
export function elementsAtFault(issues: readonly ModelIssue[]): Map<string, { severity: 'error' | 'warning'; messages: string[] }> {
  const map = new Map<string, { severity: 'error' | 'warning'; messages: string[] }>();
  for (const issue of issues) {
    if (!issue.elementId) continue;
    const entry = map.get(issue.elementId) ?? { severity: 'warning' as const, messages: [] };
    if (issue.severity !== 'warning') entry.severity = 'error';
    entry.messages.push(issue.message);
    map.set(issue.elementId, entry);
  }
  return map;
}

/** A CSS string literal for an attribute selector: quotes and backslashes escaped, no line breaks. */
export function cssString(value: string): string {
  return `"${value.replace(/[\\"]/g, (c) => `\\${c}`).replace(/[\n\r\f]/g, ' ')}"`;
}

/**
 * The style that marks the elements at fault in a dmn-js decision table: its cells carry
 * `data-element-id` (entries) and `data-col-id` (input and output clauses). A stylesheet rather
 * than classes on the cells, because dmn-js re-renders its table and would drop them.
 */
export function dmnIssueCss(scope: string, issues: readonly ModelIssue[]): string {
  const rules: string[] = [];
  for (const [id, { severity }] of elementsAtFault(issues)) {
    const value = cssString(id);
    const color = severity === 'error' ? '#b3261e' : '#8a5a00';
    const fill = severity === 'error' ? '#fdf0ef' : '#fff8e6';
    rules.push(`${scope} [data-element-id=${value}], ${scope} [data-col-id=${value}]:is(th) { outline: 2px solid ${color}; outline-offset: -2px; background: ${fill}; }`);
  }
  return rules.join('\n');
}

/**
 * Every id inside a model element (a decision: its table's inputs, outputs, rules and their
 * entries), to find which decision holds an issue's element. Walks moddle objects by their own
 * properties (moddle keeps `$parent` out of them), once per object.
 */
export function idsWithin(root: unknown): Set<string> {
  const ids = new Set<string>();
  const seen = new Set<unknown>();
  const visit = (node: unknown) => {
    if (node === null || typeof node !== 'object' || seen.has(node)) return;
    seen.add(node);
    if (Array.isArray(node)) return node.forEach(visit);
    for (const [name, value] of Object.entries(node)) {
      if (name.startsWith('$')) continue;
      if (name === 'id' && typeof value === 'string') ids.add(value);
      else visit(value);
    }
  };
  visit(root);
  return ids;
}
