/*
 * The metadata content the rep's screens read, as the kinds define it (metadata/src/kinds/*.kind.ts;
 * the studio reads releases as data over HTTP and imports none of that package's code).
 */
export type EnumValue = { value: string; label: string };
export type Characteristic = {
  key: string; name: string; description?: string; valueType: 'enum' | 'number' | 'integer' | 'boolean' | 'string' | 'date'; required: boolean;
  unit?: string; values?: EnumValue[]; range?: { min?: number; max?: number; step?: number }; maxLength?: number; default?: string | number | boolean;
};
type Charge = { key: string; name: string; type: 'one-time' | 'recurring'; period?: 'monthly' | 'annual'; description?: string };
type ProductOfferingContent = {
  name: string; description?: string; specification: string; status: 'draft' | 'active' | 'retired'; validFrom: string; validTo?: string;
  channels: string[]; segments: string[]; charges: Charge[];
};
type ProductSpecificationContent = { name: string; description?: string; characteristics: Characteristic[] };
type QuoteScreenLayoutContent = { offering: string; sections: { key: string; title: string; help?: string; fields: { characteristic: string; help?: string; readOnly?: boolean }[] }[] };
type BundleContent = {
  name: string; offering: string; groups: { key: string; name: string; min: number; max: number }[];
  options: { offering: string; min: number; max: number; defaultQuantity: number; group?: string }[];
};
type Money = { amount: string; currency: string };
export type ApprovalLimits = { maxDiscountPercent?: string; maxDealValue?: Money; minMarginPercent?: string; maxTermMonths?: number };
export type ApprovalPolicyContent = {
  name: string; levels: { level: number; role: string; name: string; limits: ApprovalLimits }[]; fourEyes: boolean; escalationSla: string; quoteValidityDays?: number;
};

/**
 * What the rep's screens read of a published release (GET /metadata/releases/{id}): the
 * offerings on sale, and per offering the form its line is configured in (specification,
 * quote screen layout, bundle). Computed at run time from the release the quote is pinned to,
 * so a publish changes the screens with no deploy. Pure: the same items give the same model.
 */
export type ReleaseItem = { kind: string; key: string; content: unknown; contentHash: string };

export type OfferingChoice = {
  key: string;
  name: string;
  description?: string;
  /** The offering is the root of a bundle: its line carries child options. */
  bundle: boolean;
  charges: ProductOfferingContent['charges'];
};

export type FormField = { characteristic: Characteristic; help?: string; readOnly: boolean };
export type FormSection = { key: string; title: string; help?: string; fields: FormField[] };
export type BundleOptionView = { offering: string; name: string; min: number; max: number; defaultQuantity: number; group?: string };

export type LineForm = {
  offering: { key: string; name: string; description?: string; charges: ProductOfferingContent['charges'] };
  specification: { key: string; name: string };
  /** The quote screen layout followed (null: none published, every characteristic in the specification's order). */
  layout: { key: string; contentHash: string } | null;
  sections: FormSection[];
  /** Characteristics the layout leaves out: not shown, the configurator gives them their defaults. */
  hidden: Characteristic[];
  bundle: { key: string; name: string; groups: BundleContent['groups']; options: BundleOptionView[] } | null;
};

const ofKind = <C>(items: readonly ReleaseItem[], kind: string) =>
  items.filter((i) => i.kind === kind).map((i) => ({ key: i.key, contentHash: i.contentHash, content: i.content as C }));

const find = <C>(items: readonly ReleaseItem[], kind: string, key: string) => ofKind<C>(items, kind).find((i) => i.key === key);

/** On sale on `day` (YYYY-MM-DD): active, validFrom <= day < validTo (validTo exclusive, as everywhere in the metadata). */
export function onSale(offering: ProductOfferingContent, day: string): boolean {
  return offering.status === 'active' && offering.validFrom <= day && (offering.validTo === undefined || day < offering.validTo);
}

/** The offerings a rep may put on a quote of this release on `day`, by name. */
export function offeringsOf(items: readonly ReleaseItem[], day: string): OfferingChoice[] {
  const roots = new Set(ofKind<BundleContent>(items, 'bundle').map((b) => b.content.offering));
  return ofKind<ProductOfferingContent>(items, 'product-offering')
    .filter((o) => onSale(o.content, day))
    .map((o) => ({ key: o.key, name: o.content.name, description: o.content.description, bundle: roots.has(o.key), charges: o.content.charges }))
    .sort((a, b) => a.name.localeCompare(b.name) || a.key.localeCompare(b.key));
}

/** Offering keys to display names (an offering missing from the release keeps its key). */
export function offeringNames(items: readonly ReleaseItem[]): Record<string, string> {
  return Object.fromEntries(ofKind<ProductOfferingContent>(items, 'product-offering').map((o) => [o.key, o.content.name]));
}

/**
 * The form of a line of `offering`: its specification's characteristics, in the sections and
 * order of the offering's quote screen layout (with its help texts and read-only marks), and
 * the bundle's options with their cardinalities when the offering is a bundle's root.
 * Undefined when the release does not have the offering.
 */
export function lineFormOf(items: readonly ReleaseItem[], offeringKey: string): LineForm | undefined {
  const offering = find<ProductOfferingContent>(items, 'product-offering', offeringKey);
  if (!offering) return undefined;
  const spec = find<ProductSpecificationContent>(items, 'product-specification', offering.content.specification);
  const characteristics = spec?.content.characteristics ?? [];
  const byKey = new Map(characteristics.map((c) => [c.key, c]));
  const layout = ofKind<QuoteScreenLayoutContent>(items, 'quote-screen-layout')
    .filter((l) => l.content.offering === offeringKey)
    .sort((a, b) => a.key.localeCompare(b.key))[0];

  let sections: FormSection[];
  if (layout) {
    sections = layout.content.sections.map((s) => ({
      key: s.key, title: s.title, help: s.help,
      fields: s.fields.flatMap((f) => {
        const characteristic = byKey.get(f.characteristic);
        return characteristic ? [{ characteristic, help: f.help ?? characteristic.description, readOnly: f.readOnly === true }] : [];
      }),
    })).filter((s) => s.fields.length > 0);
  } else {
    sections = characteristics.length === 0 ? [] : [{
      key: 'characteristics', title: spec?.content.name ?? 'Characteristics',
      fields: characteristics.map((characteristic) => ({ characteristic, help: characteristic.description, readOnly: false })),
    }];
  }
  const shown = new Set(sections.flatMap((s) => s.fields.map((f) => f.characteristic.key)));
  const names = offeringNames(items);
  const bundle = ofKind<BundleContent>(items, 'bundle').filter((b) => b.content.offering === offeringKey).sort((a, b) => a.key.localeCompare(b.key))[0];

  return {
    offering: { key: offeringKey, name: offering.content.name, description: offering.content.description, charges: offering.content.charges },
    specification: { key: offering.content.specification, name: spec?.content.name ?? offering.content.specification },
    layout: layout ? { key: layout.key, contentHash: layout.contentHash } : null,
    sections,
    hidden: characteristics.filter((c) => !shown.has(c.key)),
    bundle: bundle ? {
      key: bundle.key, name: bundle.content.name, groups: bundle.content.groups,
      options: bundle.content.options.map((o) => ({ offering: o.offering, name: names[o.offering] ?? o.offering, min: o.min, max: o.max, defaultQuantity: o.defaultQuantity, group: o.group })),
    } : null,
  };
}

/** The release's approval policy (the first by key, as the engine reads it), with its version. */
export function approvalPolicyOf(items: readonly ReleaseItem[]): { key: string; contentHash: string; content: ApprovalPolicyContent } | undefined {
  return ofKind<ApprovalPolicyContent>(items, 'approval-policy').sort((a, b) => a.key.localeCompare(b.key))[0];
}

/** A charge's name on an offering (its key when unknown). */
export function chargeName(items: readonly ReleaseItem[], offeringKey: string, charge: string): string {
  return find<ProductOfferingContent>(items, 'product-offering', offeringKey)?.content.charges.find((c) => c.key === charge)?.name ?? charge;
}
