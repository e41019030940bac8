import type { ItemRef, ValidationIssue } from '../types';
import { currencyDecimals } from './currencies';
import type { IssueCode } from './issue-codes';

/**
 * Helpers of the semantic validators: they collect every issue (never stop at the first), and
 * they run on content that passed its schema, so shapes can be trusted, but references cannot.
 */

/** A JSON pointer (RFC 6901) from path segments: `pointer('rules', 3, 'id')` -> "/rules/3/id". */
export function pointer(...segments: (string | number)[]): string {
  return segments.map((s) => `/${String(s).replaceAll('~', '~0').replaceAll('/', '~1')}`).join('');
}

export type Issues = {
  readonly list: ValidationIssue[];
  /** `elementId`: the BPMN/DMN element at fault, when a model's issue is about one element. */
  add(pointer: string, code: IssueCode, message: string, elementId?: string): void;
  /** Advice that does not block publishing (ValidationIssue `severity: 'warning'`). */
  warn(pointer: string, code: IssueCode, message: string, elementId?: string): void;
};

export function issuesFor(item: ItemRef): Issues {
  const list: ValidationIssue[] = [];
  const ref = { kind: item.kind, key: item.key };
  const element = (id: string | undefined) => (id ? { elementId: id } : {});
  return {
    list,
    add: (at, code, message, elementId) => list.push({ item: ref, pointer: at, code, message, ...element(elementId) }),
    warn: (at, code, message, elementId) => list.push({ item: ref, pointer: at, code, message, severity: 'warning', ...element(elementId) }),
  };
}

/** Reports every occurrence after the first of a repeated key, with code `duplicate`. */
export function reportDuplicates<T>(
  issues: Issues,
  entries: readonly T[],
  keyOf: (entry: T) => string,
  at: (index: number) => string,
  what: string,
): void {
  const first = new Map<string, number>();
  entries.forEach((entry, index) => {
    const k = keyOf(entry);
    const seen = first.get(k);
    if (seen === undefined) first.set(k, index);
    else issues.add(at(index), 'duplicate', `${what} "${k}" is listed twice (first at index ${seen})`);
  });
}

/**
 * If the edge from -> to closes a cycle in the graph, the cycle as a path [from, to, ..., from];
 * otherwise undefined. Graphs here are small (steps, offerings, bundles), so a search per edge
 * is cheap and lets each item report exactly the edges of its own that take part in a cycle.
 */
export function cycleThrough(graph: ReadonlyMap<string, readonly string[]>, from: string, to: string): string[] | undefined {
  if (from === to) return [from, to];
  const parent = new Map<string, string>([[to, to]]);
  const queue = [to];
  while (queue.length > 0) {
    const node = queue.shift() as string;
    for (const next of graph.get(node) ?? []) {
      if (parent.has(next)) continue;
      parent.set(next, node);
      if (next === from) {
        const back = [from];
        for (let n = node; n !== to; n = parent.get(n) as string) back.unshift(n);
        return [from, to, ...back];
      }
      queue.push(next);
    }
  }
  return undefined;
}

export function addEdge(graph: Map<string, string[]>, from: string, to: string): void {
  const list = graph.get(from);
  if (list) list.push(to);
  else graph.set(from, [to]);
}

// Decimal strings ////////////////////////////////////////////////////////////////////////////

export function decimalPlaces(value: string): number {
  const dot = value.indexOf('.');
  return dot < 0 ? 0 : value.length - dot - 1;
}

/** Compares two decimal strings exactly (no floating point): -1, 0 or 1. */
export function compareDecimal(a: string, b: string): number {
  const scale = Math.max(decimalPlaces(a), decimalPlaces(b));
  const x = scaled(a, scale);
  const y = scaled(b, scale);
  return x < y ? -1 : x > y ? 1 : 0;
}

function scaled(value: string, scale: number): bigint {
  const negative = value.startsWith('-');
  const [whole = '0', fraction = ''] = (negative ? value.slice(1) : value).split('.');
  const digits = BigInt(whole + fraction.padEnd(scale, '0'));
  return negative ? -digits : digits;
}

/** Reports an amount with more decimals than its currency has (code `currency.decimals`). */
export function checkAmountDecimals(issues: Issues, amount: string, currency: string, at: string): void {
  const allowed = currencyDecimals(currency);
  if (allowed !== undefined && decimalPlaces(amount) > allowed) {
    issues.add(at, 'currency.decimals', `${amount} has more than the ${allowed} decimal place(s) of ${currency}`);
  }
}

/** Reports a percentage above 100 (code `percent.range`). */
export function checkPercent(issues: Issues, percent: string, at: string): void {
  if (compareDecimal(percent, '100') > 0) issues.add(at, 'percent.range', `${percent} % is above 100 %`);
}

// Tiers ////////////////////////////////////////////////////////////////////////////////////////

export type Tier = { from: number; to?: number };

/**
 * Tiers are listed in ascending order with inclusive integer bounds; each starts right after the
 * previous one ends (contiguous, non-overlapping); only the last may be open-ended (no `to`).
 * Codes: tiers.start, tiers.range, tiers.open, tiers.gap, tiers.overlap.
 */
export function checkTiers(issues: Issues, tiers: readonly Tier[], at: (index: number) => string, start?: number): void {
  const first = tiers[0];
  if (first && start !== undefined && first.from !== start) {
    issues.add(`${at(0)}/from`, 'tiers.start', `the first tier starts at ${first.from}, not at ${start}`);
  }
  tiers.forEach((tier, index) => {
    if (tier.to !== undefined && tier.to < tier.from) {
      issues.add(at(index), 'tiers.range', `tier ${tier.from}-${tier.to} ends before it starts`);
    }
    const next = tiers[index + 1];
    if (!next) return;
    if (tier.to === undefined) {
      issues.add(`${at(index)}/to`, 'tiers.open', 'only the last tier may be open-ended');
    } else if (next.from > tier.to + 1) {
      issues.add(`${at(index + 1)}/from`, 'tiers.gap', `quantities ${tier.to + 1}-${next.from - 1} fall between tiers`);
    } else if (next.from <= tier.to) {
      issues.add(`${at(index + 1)}/from`, 'tiers.overlap', `the tier starting at ${next.from} overlaps the previous one (ending at ${tier.to})`);
    }
  });
}

// Dates //////////////////////////////////////////////////////////////////////////////////////

/** validFrom must be before validTo (both ISO dates, so string order is date order). */
export function checkValidity(issues: Issues, content: { validFrom: string; validTo?: string }): void {
  if (content.validTo !== undefined && content.validTo <= content.validFrom) {
    issues.add('/validTo', 'date.range', `validTo ${content.validTo} is not after validFrom ${content.validFrom}`);
  }
}
