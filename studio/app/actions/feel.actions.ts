'use server';

import { callEngine } from '@/lib/engine-client';
import type { Result } from '@/lib/problem';
import type { FeelCheckRequest, FeelEvaluation } from '@/components/widgets/feel-sample';

/**
 * The FEEL editor's check as the admin types: the engine compiles the expression with the
 * compiler candidates are validated with and evaluates it on the sample values
 * (POST /metadata/feel/evaluate). A compile error is a normal answer (`ok: false`).
 */
export async function evaluateFeelAction(request: FeelCheckRequest): Promise<Result<FeelEvaluation>> {
  return callEngine<FeelEvaluation>('POST', '/metadata/feel/evaluate', { body: request });
}
