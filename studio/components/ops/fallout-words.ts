import type { FalloutAction, FalloutCategory } from '@/lib/order-api';

/** What a fallout category means for the operator (engine/src/modules/order/fallout.ts decides it). */
export const CATEGORY: Record<FalloutCategory, string> = {
  'technical-retry': 'a technical failure the step may survive: retry it',
  'unknown-outcome': 'the target system did not say whether it acted: check it, then retry or resolve by hand',
  'business-fallout': 'the target system refused for a business reason: retry, resolve by hand, compensate and run again, or cancel (the actions below are what this case allows)',
  'model-defect': 'the published model cannot fulfil the order (a map or a step is missing): fix the release, then retry, or cancel',
};

/** What each recovery action does (the contract's description of resolve-fallout). */
export const ACTION: Record<FalloutAction, string> = {
  retry: 'Retry: run the step (or its compensation) again',
  resolve: 'Resolve by hand: the work was done outside the platform (evidence required)',
  compensate: 'Compensate: undo the failed step at its target system (release what it holds, by our reference), then run the step again from a clean state',
  cancel: 'Cancel: request the order\'s cancellation',
};
