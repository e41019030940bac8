import type { ApiSchema } from '@cpq/contracts/api-types';
import type { Result } from '@/lib/problem';

/** The engine's answer to POST /metadata/feel/evaluate. */
export type FeelEvaluation = ApiSchema<'FeelEvaluation'>;
export type FeelCheckRequest = { expression: string; dialect: 'expression' | 'unary-tests'; context: Record<string, unknown>; input?: unknown };
/** Asks the engine (a server action in the studio; a stand-in in component tests). */
export type FeelEvaluate = (request: FeelCheckRequest) => Promise<Result<FeelEvaluation>>;

/**
 * A sample value as the admin types it: JSON when it reads as JSON (12, true, null, [1, 2],
 * {"a": 1}, "quoted"), otherwise the text itself, so `copper` needs no quotes. Empty means no
 * value (the name is then null in FEEL).
 */
export function parseSample(text: string): { value?: unknown } {
  const trimmed = text.trim();
  if (trimmed === '') return {};
  try {
    return { value: JSON.parse(trimmed) as unknown };
  } catch {
    return { value: text };
  }
}

/** The sample values by name, leaving out the empty ones. */
export function sampleContext(samples: Record<string, string>, names: readonly string[]): Record<string, unknown> {
  const context: Record<string, unknown> = {};
  for (const name of names) {
    const parsed = parseSample(samples[name] ?? '');
    if ('value' in parsed) context[name] = parsed.value;
  }
  return context;
}

/** Where a compile error sits, 1-based for people ("character 13", "characters 5-9"). */
export function positionText(from: number, to: number): string {
  return to > from + 1 ? `characters ${from + 1}–${to}` : `character ${from + 1}`;
}
