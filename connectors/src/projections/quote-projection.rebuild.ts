import { rebuildProjection, type RebuildOptions, type RebuildResult } from './projection.rebuild';
import { quoteProjection } from './quote-projection';

export type { RebuildOptions, RebuildResult } from './projection.rebuild';

/** Rebuilds the quote read model and approval worklist from offset zero and swaps them in (projection.rebuild.ts). */
export const rebuildQuoteProjection = (options: RebuildOptions): Promise<RebuildResult> => rebuildProjection(quoteProjection, options);
