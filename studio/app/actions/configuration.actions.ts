'use server';

import type { ConfigurationResult, PreviewInput } from '@/lib/configuration-api';
import { callEngine } from '@/lib/engine-client';
import type { Result } from '@/lib/problem';

/**
 * The engine's configuration preview as the rep types: stateless, cached by the engine per
 * (release, input); it changes nothing, so it takes no Idempotency-Key.
 */
export async function previewConfigurationAction(input: PreviewInput): Promise<Result<ConfigurationResult>> {
  return callEngine<ConfigurationResult>('POST', '/configurations/evaluate', { body: input });
}
