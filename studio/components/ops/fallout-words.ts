import type { FalloutAction, FalloutCategory } from '@/lib/order-api';

/** What a fallout category means for the operator (engine/src/modules/order/fallout.ts decides it). */
export const CATEGORY: Record<FalloutCategory, string> = {
  'technical-retry': 'a technical failure the step may survive: retry it',
  'unknown-outcome': 'the target system did not say whether it acted: check it, then retry or resolve by hand',
  'business-fallout': 'the target system refused for a business reason: resolve by hand, compensate or cancel',
  'model-defect': 'the published model cannot fulfil the order (a map or a step is missing): fix the release, then retry, or cancel',
};

/** What each recovery action does (the contract's description of resolve-fallout). */
export const ACTION: Record<FalloutAction, string> = {
  retry: 'Retry: run the step (or its compensation) again',
  resolve: 'Resolve by hand: the work was done outside the platform (evidence required)',
  compensate: 'Compensate: reverse the step at its target system',
  cancel: 'Cancel: request the order\'s cancellation',
};
