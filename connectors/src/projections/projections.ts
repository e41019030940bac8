import { orderProjection } from './order-projection';
import type { ProjectionDefinition } from './projection';
import { quoteProjection } from './quote-projection';
import { worklistProjection } from './worklist-projection';

/** Every read model the projector role keeps (ADR 0020): each its own generations, consumers and rebuild. */
export const PROJECTIONS: readonly ProjectionDefinition[] = [quoteProjection, orderProjection, worklistProjection];

export function projectionNamed(name: string): ProjectionDefinition | undefined {
  return PROJECTIONS.find((p) => p.name === name);
}
