import { createFeelCache, type FeelCache } from './feel';
import type { ApprovalPolicyContent } from './kinds/approval-policy.kind';
import type { BundleContent } from './kinds/bundle.kind';
import type { ConfigurationRuleSetContent } from './kinds/configuration-rule-set.kind';
import type { DiscountScheduleContent } from './kinds/discount-schedule.kind';
import type { FulfillmentDecompositionMapContent } from './kinds/fulfillment-decomposition-map.kind';
import type { PriceBookContent } from './kinds/price-book.kind';
import type { PricingRuleSetContent } from './kinds/pricing-rule-set.kind';
import type { ProductOfferingContent } from './kinds/product-offering.kind';
import type { ProductSpecificationContent } from './kinds/product-specification.kind';
import type { QuoteScreenLayoutContent } from './kinds/quote-screen-layout.kind';
import type { MetadataKind } from './types';

/** The content type of each kind, for typed reads of a release. */
export type KindContent = {
  'product-specification': ProductSpecificationContent;
  'product-offering': ProductOfferingContent;
  bundle: BundleContent;
  'configuration-rule-set': ConfigurationRuleSetContent;
  'price-book': PriceBookContent;
  'pricing-rule-set': PricingRuleSetContent;
  'discount-schedule': DiscountScheduleContent;
  'approval-policy': ApprovalPolicyContent;
  'quote-screen-layout': QuoteScreenLayoutContent;
  'bpmn-model': { name: string; processKey: string; xml: string };
  'dmn-model': { name: string; decisionKey: string; xml: string };
  'fulfillment-decomposition-map': FulfillmentDecompositionMapContent;
};

export type ReleaseViewItem<K extends MetadataKind = MetadataKind> = { kind: K; key: string; content: KindContent[K]; contentHash: string };

/**
 * A published release as the engines read it: typed lookups by (kind, key) and one FEEL
 * cache, so every expression of the release is compiled once and reused by every request
 * priced or configured against it. Pure: built from the release's items, no I/O.
 */
export type ReleaseView = {
  releaseId: string;
  releaseNumber: number;
  contentHash: string;
  get<K extends MetadataKind>(kind: K, key: string): ReleaseViewItem<K> | undefined;
  list<K extends MetadataKind>(kind: K): ReleaseViewItem<K>[];
  feel: FeelCache;
};

export function createReleaseView(
  header: { releaseId: string; releaseNumber: number; contentHash: string },
  items: { kind: string; key: string; content: unknown; contentHash: string }[],
): ReleaseView {
  const byKind = new Map<string, Map<string, ReleaseViewItem>>();
  for (const item of items) {
    let keyed = byKind.get(item.kind);
    if (!keyed) byKind.set(item.kind, (keyed = new Map()));
    keyed.set(item.key, item as ReleaseViewItem);
  }
  return {
    releaseId: header.releaseId,
    releaseNumber: header.releaseNumber,
    contentHash: header.contentHash,
    get: <K extends MetadataKind>(kind: K, key: string) => byKind.get(kind)?.get(key) as ReleaseViewItem<K> | undefined,
    list: <K extends MetadataKind>(kind: K) => [...(byKind.get(kind)?.values() ?? [])] as ReleaseViewItem<K>[],
    feel: createFeelCache(),
  };
}
