import { readFileSync } from 'node:fs';
import type {
  ApprovalPolicyContent,
  BpmnModelContent,
  BundleContent,
  ConfigurationRule,
  ConfigurationRuleSetContent,
  DiscountScheduleContent,
  DmnModelContent,
  FulfillmentDecompositionMapContent,
  MetadataItem,
  MetadataKind,
  PriceBookContent,
  PricingRuleSetContent,
  ProductOfferingContent,
  ProductSpecificationContent,
  QuoteScreenLayoutContent,
} from '@cpq/metadata';

/**
 * The demo release that `deploy/scripts/seed-demo.ts` publishes for tenant `demo`: a small
 * telco B2B catalog rich enough to exercise every metadata kind and every rule type (see
 * deploy/demo/README.md for the tables).
 *
 * - Business Internet (fiber / copper / 5G, 50 Mbit/s-10 Gbit/s with access-dependent maxima,
 *   SLA tier basic / business / premium, 0-64 static IPs), Managed Router (requires Business
 *   Internet), Security add-on (excludes the basic SLA), SD-WAN with 2-500 sites, each site a
 *   nested bundle of a site licence, a router and an access line;
 * - 12/24/36-month terms with term discounts, router volume discounts, EUR and USD price books
 *   (prices by access, bandwidth, model, package and topology; slab and volume tiers), pricing
 *   rules in all five phases with all three stacking policies and floors;
 * - the approval matrix (rep <= 10 %, sales manager <= 25 %, finance above; over 250,000 EUR
 *   always finance) with its DMN, and the default quote-approval and order-fulfillment BPMN
 *   read from bpmn/;
 * - a quote screen layout and a fulfillment decomposition for every offering.
 *
 * Characteristic keys are camelCase: FEEL reads them as variables.
 */

const item = <C>(kind: MetadataKind, key: string, content: C): MetadataItem<C> => ({ kind, key, content });
const model = (file: string) => readFileSync(new URL(`../../bpmn/${file}`, import.meta.url), 'utf8');

export const DEMO_CURRENCIES = ['EUR', 'USD'] as const;
/** The contract terms offered (months); configuration rules refuse others. */
export const DEMO_TERMS = [12, 24, 36] as const;
const TERM_OFFERED = `termMonths in [${DEMO_TERMS.join(', ')}]`;

const termRule: ConfigurationRule = {
  id: 'term-offered',
  type: 'value-constraint',
  constraint: TERM_OFFERED,
  message: `Contracts run ${DEMO_TERMS.slice(0, -1).join(', ')} or ${DEMO_TERMS[DEMO_TERMS.length - 1]} months`,
  severity: 'error',
};

// Specifications ///////////////////////////////////////////////////////////////////////////

const businessInternetSpec: ProductSpecificationContent = {
  name: 'Business Internet',
  description: 'Dedicated business access line with an SLA.',
  characteristics: [
    {
      key: 'access',
      name: 'Access technology',
      valueType: 'enum',
      required: true,
      values: [
        { value: 'fiber', label: 'Fiber (FTTB/FTTH)' },
        { value: 'copper', label: 'Copper (VDSL)' },
        { value: '5g', label: '5G fixed wireless' },
      ],
      default: 'fiber',
    },
    { key: 'bandwidth', name: 'Bandwidth', valueType: 'integer', required: true, unit: 'Mbit/s', range: { min: 50, max: 10000, step: 50 }, default: 100 },
    {
      key: 'slaTier',
      name: 'SLA tier',
      valueType: 'enum',
      required: true,
      values: [
        { value: 'basic', label: 'Basic (next business day)' },
        { value: 'business', label: 'Business (8 hours, business days)' },
        { value: 'premium', label: 'Premium (4 hours, 24/7)' },
      ],
      default: 'business',
    },
    { key: 'staticIps', name: 'Static IP addresses', valueType: 'integer', required: false, range: { min: 0, max: 64, step: 1 }, default: 0 },
    { key: 'backupLine', name: 'Backup line', valueType: 'boolean', required: false, default: false },
    { key: 'installationDate', name: 'Preferred installation date', valueType: 'date', required: false },
    { key: 'siteReference', name: 'Site reference', valueType: 'string', required: false, maxLength: 80 },
  ],
};

const managedRouterSpec: ProductSpecificationContent = {
  name: 'Managed Router',
  characteristics: [
    {
      key: 'model',
      name: 'Router model',
      valueType: 'enum',
      required: true,
      values: [
        { value: 'branch', label: 'Branch (up to 1 Gbit/s)' },
        { value: 'campus', label: 'Campus (up to 10 Gbit/s)' },
      ],
      default: 'branch',
    },
    { key: 'wifi', name: 'Built-in Wi-Fi', valueType: 'boolean', required: false, default: true },
    { key: 'lteBackup', name: 'LTE backup', valueType: 'boolean', required: false, default: false },
  ],
};

const securityAddonSpec: ProductSpecificationContent = {
  name: 'Security add-on',
  characteristics: [
    {
      key: 'protectionPackage',
      name: 'Protection package',
      valueType: 'enum',
      required: true,
      values: [
        { value: 'firewall', label: 'Managed firewall' },
        { value: 'firewall-ids', label: 'Firewall + intrusion detection' },
        { value: 'utm', label: 'Unified threat management' },
      ],
      default: 'firewall',
    },
    { key: 'protectedUsers', name: 'Protected users', valueType: 'integer', required: true, range: { min: 1, max: 5000 }, default: 25 },
    { key: 'reportRecipient', name: 'Security report recipient (e-mail)', valueType: 'string', required: false, maxLength: 254 },
  ],
};

const sdWanSpec: ProductSpecificationContent = {
  name: 'SD-WAN',
  description: 'The SD-WAN overlay: orchestration and policies across all sites.',
  characteristics: [
    { key: 'sites', name: 'Sites', valueType: 'integer', required: true, range: { min: 2, max: 500 }, default: 2 },
    {
      key: 'topology',
      name: 'Topology',
      valueType: 'enum',
      required: true,
      values: [
        { value: 'hub-and-spoke', label: 'Hub and spoke' },
        { value: 'full-mesh', label: 'Full mesh' },
      ],
      default: 'hub-and-spoke',
    },
    { key: 'controllerRedundancy', name: 'Redundant controllers', valueType: 'boolean', required: false, default: false },
  ],
};

const sdWanSiteSpec: ProductSpecificationContent = {
  name: 'SD-WAN site',
  characteristics: [
    { key: 'siteName', name: 'Site name', valueType: 'string', required: true, maxLength: 80 },
    {
      key: 'siteRole',
      name: 'Site role',
      valueType: 'enum',
      required: true,
      values: [
        { value: 'hub', label: 'Hub' },
        { value: 'branch', label: 'Branch' },
      ],
      default: 'branch',
    },
    {
      key: 'licenceTier',
      name: 'Licence tier',
      valueType: 'enum',
      required: true,
      values: [
        { value: 'standard', label: 'Standard' },
        { value: 'advanced', label: 'Advanced (application steering, analytics)' },
      ],
      default: 'standard',
    },
  ],
};

// Offerings ////////////////////////////////////////////////////////////////////////////////

const offering = (content: Omit<ProductOfferingContent, 'status' | 'validFrom'>): ProductOfferingContent => ({
  status: 'active',
  validFrom: '2025-01-01',
  ...content,
});

const businessInternet = offering({
  name: 'Business Internet',
  specification: 'business-internet',
  channels: ['direct', 'partner', 'self-service'],
  segments: ['enterprise', 'smb'],
  charges: [
    { key: 'installation', name: 'Installation', type: 'one-time' },
    { key: 'monthly-fee', name: 'Monthly fee', type: 'recurring', period: 'monthly' },
    { key: 'static-ip', name: 'Static IP address', type: 'recurring', period: 'monthly', description: 'Per address.' },
  ],
  maxQuantity: 100,
});

const managedRouter = offering({
  name: 'Managed Router',
  specification: 'managed-router',
  channels: ['direct', 'partner'],
  segments: ['enterprise', 'smb'],
  charges: [
    { key: 'installation', name: 'On-site installation', type: 'one-time' },
    { key: 'rental', name: 'Router rental', type: 'recurring', period: 'monthly' },
    { key: 'maintenance', name: 'Maintenance and firmware', type: 'recurring', period: 'annual' },
  ],
  maxQuantity: 100,
});

const securityAddon = offering({
  name: 'Security add-on',
  specification: 'security-addon',
  channels: ['direct', 'partner'],
  segments: ['enterprise', 'smb'],
  charges: [
    { key: 'activation', name: 'Activation', type: 'one-time' },
    { key: 'monthly-fee', name: 'Monthly fee', type: 'recurring', period: 'monthly' },
  ],
});

const sdWan = offering({
  name: 'SD-WAN',
  specification: 'sd-wan',
  channels: ['direct', 'partner'],
  segments: ['enterprise'],
  charges: [
    { key: 'setup', name: 'Design and setup', type: 'one-time' },
    { key: 'orchestration', name: 'Orchestration', type: 'recurring', period: 'monthly' },
  ],
});

const sdWanSite = offering({
  name: 'SD-WAN site',
  specification: 'sd-wan-site',
  channels: ['direct', 'partner'],
  segments: ['enterprise'],
  charges: [
    { key: 'site-activation', name: 'Site activation', type: 'one-time' },
    { key: 'site-licence', name: 'Site licence', type: 'recurring', period: 'monthly' },
  ],
});

// Bundles: SD-WAN = 2-500 sites; each site nests licence + router + access line (+ security).

const sdWanSitePack: BundleContent = {
  name: 'SD-WAN site pack',
  offering: 'sd-wan-site',
  groups: [{ key: 'add-ons', name: 'Add-ons', min: 0, max: 1 }],
  options: [
    { offering: 'managed-router', min: 1, max: 1, defaultQuantity: 1 },
    { offering: 'business-internet', min: 1, max: 2, defaultQuantity: 1 },
    { offering: 'security-addon', min: 0, max: 1, defaultQuantity: 0, group: 'add-ons' },
  ],
};

const sdWanBundle: BundleContent = {
  name: 'SD-WAN',
  offering: 'sd-wan',
  groups: [],
  options: [{ offering: 'sd-wan-site', min: 2, max: 500, defaultQuantity: 2 }],
};

// Configuration rules ///////////////////////////////////////////////////////////////////////

const businessInternetRules: ConfigurationRuleSetContent = {
  name: 'Business Internet rules',
  targets: ['business-internet'],
  rules: [
    {
      id: 'copper-bandwidth',
      type: 'value-constraint',
      condition: 'access = "copper"',
      constraint: 'bandwidth <= 100',
      message: 'Copper access carries at most 100 Mbit/s',
      severity: 'error',
    },
    {
      id: '5g-bandwidth',
      type: 'value-constraint',
      condition: 'access = "5g"',
      constraint: 'bandwidth <= 1000',
      message: '5G access carries at most 1 Gbit/s',
      severity: 'error',
    },
    {
      id: 'static-ips-sla',
      type: 'value-constraint',
      condition: 'staticIps > 16',
      constraint: 'slaTier != "basic"',
      message: 'More than 16 static IP addresses usually go with the business or premium SLA',
      severity: 'warning',
    },
    termRule,
    {
      id: 'premium-backup',
      type: 'derived',
      characteristic: 'backupLine',
      expression: 'slaTier = "premium"',
      message: 'The premium SLA includes a backup line',
      severity: 'info',
    },
    {
      id: 'access-sla',
      type: 'compatibility',
      characteristics: ['access', 'slaTier'],
      rows: [
        ['fiber', 'basic'],
        ['fiber', 'business'],
        ['fiber', 'premium'],
        ['copper', 'basic'],
        ['copper', 'business'],
        ['5g', 'business'],
        ['5g', 'premium'],
      ],
      message: 'This SLA tier is not available on this access technology',
      severity: 'error',
    },
    {
      id: 'security-needs-sla',
      type: 'excludes',
      condition: 'slaTier = "basic"',
      offerings: ['security-addon'],
      message: 'The security add-on needs at least the business SLA',
      severity: 'error',
    },
  ],
};

const managedRouterRules: ConfigurationRuleSetContent = {
  name: 'Managed Router rules',
  targets: ['managed-router'],
  rules: [
    { id: 'needs-internet', type: 'requires', offerings: ['business-internet'], message: 'A managed router needs a Business Internet line', severity: 'error' },
    {
      id: 'lte-on-branch',
      type: 'value-constraint',
      condition: 'lteBackup = true',
      constraint: 'model = "branch"',
      message: 'LTE backup is available on branch routers only',
      severity: 'error',
    },
    {
      id: 'model-wifi',
      type: 'compatibility',
      characteristics: ['model', 'wifi'],
      rows: [
        ['branch', true],
        ['branch', false],
        ['campus', false],
      ],
      message: 'Campus routers have no built-in Wi-Fi: add access points instead',
      severity: 'error',
    },
    termRule,
  ],
};

const securityAddonRules: ConfigurationRuleSetContent = {
  name: 'Security add-on rules',
  targets: ['security-addon'],
  rules: [
    { id: 'needs-internet', type: 'requires', offerings: ['business-internet'], message: 'The security add-on protects a Business Internet line', severity: 'error' },
    {
      id: 'utm-needs-router',
      type: 'requires',
      condition: 'protectionPackage = "utm"',
      offerings: ['managed-router'],
      message: 'Unified threat management runs on a managed router',
      severity: 'error',
    },
    {
      id: 'firewall-users',
      type: 'value-constraint',
      condition: 'protectionPackage = "firewall"',
      constraint: 'protectedUsers <= 250',
      message: 'Above 250 users we recommend intrusion detection or UTM',
      severity: 'warning',
    },
    termRule,
  ],
};

const sdWanRules: ConfigurationRuleSetContent = {
  name: 'SD-WAN rules',
  targets: ['sd-wan'],
  rules: [
    {
      id: 'full-mesh-sites',
      type: 'value-constraint',
      condition: 'topology = "full-mesh"',
      constraint: 'sites <= 50',
      message: 'A full mesh spans at most 50 sites: use hub and spoke above',
      severity: 'error',
    },
    {
      id: 'controller-redundancy',
      type: 'derived',
      characteristic: 'controllerRedundancy',
      expression: 'sites >= 100',
      message: 'Estates of 100 sites or more run redundant controllers',
      severity: 'info',
    },
    termRule,
  ],
};

const sdWanSiteRules: ConfigurationRuleSetContent = {
  name: 'SD-WAN site rules',
  targets: ['sd-wan-site'],
  rules: [
    { id: 'needs-sd-wan', type: 'requires', offerings: ['sd-wan'], message: 'A site belongs to an SD-WAN service', severity: 'error' },
    {
      id: 'hub-licence',
      type: 'compatibility',
      characteristics: ['siteRole', 'licenceTier'],
      rows: [
        ['hub', 'advanced'],
        ['branch', 'standard'],
        ['branch', 'advanced'],
      ],
      message: 'A hub site needs the advanced licence',
      severity: 'error',
    },
    termRule,
  ],
};

// Price books //////////////////////////////////////////////////////////////////////////////

/** The same structure in both currencies; `p` maps a EUR list price to the book's price. */
function priceBook(currency: 'EUR' | 'USD', p: (eur: string) => string): PriceBookContent {
  return {
    name: `${currency} list prices`,
    currency,
    validFrom: '2025-01-01',
    entries: [
      {
        offering: 'business-internet',
        charge: 'installation',
        type: 'attribute',
        characteristic: 'access',
        rows: [
          { value: 'fiber', price: p('299.00') },
          { value: 'copper', price: p('99.00') },
          { value: '5g', price: p('149.00') },
        ],
      },
      {
        offering: 'business-internet',
        charge: 'monthly-fee',
        type: 'attribute',
        characteristic: 'bandwidth',
        rows: [
          { min: 50, max: 100, price: p('49.00') },
          { min: 150, max: 500, price: p('89.00') },
          { min: 550, max: 1000, price: p('139.00') },
          { min: 1050, max: 2500, price: p('249.00') },
          { min: 2550, max: 5000, price: p('449.00') },
          { min: 5050, max: 10000, price: p('799.00') },
        ],
      },
      {
        offering: 'business-internet',
        charge: 'static-ip',
        quantityFrom: 'staticIps',
        type: 'tiered',
        mode: 'slab',
        tiers: [
          { from: 1, to: 8, price: p('5.00') },
          { from: 9, to: 32, price: p('4.00') },
          { from: 33, price: p('3.00') },
        ],
      },
      { offering: 'managed-router', charge: 'installation', type: 'flat', price: p('149.00') },
      {
        offering: 'managed-router',
        charge: 'rental',
        type: 'attribute',
        characteristic: 'model',
        rows: [
          { value: 'branch', price: p('19.00') },
          { value: 'campus', price: p('89.00') },
        ],
      },
      { offering: 'managed-router', charge: 'maintenance', type: 'flat', price: p('120.00') },
      { offering: 'security-addon', charge: 'activation', type: 'flat', price: p('99.00') },
      {
        offering: 'security-addon',
        charge: 'monthly-fee',
        type: 'attribute',
        characteristic: 'protectionPackage',
        rows: [
          { value: 'firewall', price: p('29.90') },
          { value: 'firewall-ids', price: p('49.90') },
          { value: 'utm', price: p('79.90') },
        ],
      },
      {
        offering: 'sd-wan',
        charge: 'setup',
        type: 'attribute',
        characteristic: 'topology',
        rows: [
          { value: 'hub-and-spoke', price: p('1500.00') },
          { value: 'full-mesh', price: p('2500.00') },
        ],
      },
      { offering: 'sd-wan', charge: 'orchestration', type: 'flat', price: p('250.00') },
      { offering: 'sd-wan-site', charge: 'site-activation', type: 'flat', price: p('75.00') },
      {
        offering: 'sd-wan-site',
        charge: 'site-licence',
        type: 'tiered',
        mode: 'range',
        tiers: [
          { from: 1, to: 9, price: p('45.00') },
          { from: 10, to: 49, price: p('40.00') },
          { from: 50, to: 199, price: p('35.00') },
          { from: 200, price: p('30.00') },
        ],
      },
    ],
  };
}

/** USD list prices: EUR x 1.10, rounded to whole dollars minus one cent (49.00 -> 52.99). */
export const usdFromEur = (eur: string): string => `${Math.round(Number(eur) * 1.1) - 1}.99`;

// Pricing rules ////////////////////////////////////////////////////////////////////////////

const standardPricing: PricingRuleSetContent = {
  name: 'Standard pricing',
  priceBooks: ['eur-list', 'usd-list'],
  rules: [
    {
      id: 'installation-waiver-eur',
      description: 'No installation fee on 36-month contracts.',
      phase: 'list',
      condition: 'charge = "installation" and termMonths >= 36',
      action: { type: 'override', value: '0.00', currency: 'EUR' },
      priority: 100,
      order: 1,
      stacking: 'exclusive',
      scope: { offerings: ['business-internet', 'managed-router'], charges: ['installation'] },
    },
    {
      id: 'installation-waiver-usd',
      phase: 'list',
      condition: 'charge = "installation" and termMonths >= 36',
      action: { type: 'override', value: '0.00', currency: 'USD' },
      priority: 100,
      order: 2,
      stacking: 'exclusive',
      scope: { offerings: ['business-internet', 'managed-router'], charges: ['installation'] },
    },
    {
      id: 'premium-sla-surcharge',
      phase: 'list',
      condition: 'slaTier = "premium"',
      action: { type: 'markup', value: '15' },
      priority: 50,
      order: 3,
      stacking: 'stack',
      scope: { offerings: ['business-internet'], charges: ['monthly-fee'] },
    },
    {
      id: 'enterprise-discount',
      phase: 'customer',
      condition: 'segment = "enterprise"',
      action: { type: 'percent-discount', value: '5' },
      priority: 10,
      order: 1,
      stacking: 'stack',
    },
    {
      id: 'partner-margin',
      description: 'Partners resell with a 3 % margin on top.',
      phase: 'customer',
      condition: 'channel = "partner"',
      action: { type: 'markup', value: '3' },
      priority: 10,
      order: 2,
      stacking: 'stack',
    },
    {
      id: 'self-service-discount',
      phase: 'customer',
      condition: 'channel = "self-service"',
      action: { type: 'percent-discount', value: '2' },
      priority: 10,
      order: 3,
      stacking: 'stack',
    },
    {
      id: 'multi-line-eur',
      description: 'Ten lines or more on 24 months or longer: 3.00 off each monthly fee.',
      phase: 'volume-term',
      condition: 'quantity >= 10 and termMonths >= 24',
      action: { type: 'amount-discount', value: '3.00', currency: 'EUR' },
      priority: 20,
      order: 1,
      stacking: 'best-price',
      scope: { offerings: ['business-internet'], charges: ['monthly-fee'] },
    },
    {
      id: 'multi-line-usd',
      phase: 'volume-term',
      condition: 'quantity >= 10 and termMonths >= 24',
      action: { type: 'amount-discount', value: '3.00', currency: 'USD' },
      priority: 20,
      order: 2,
      stacking: 'best-price',
      scope: { offerings: ['business-internet'], charges: ['monthly-fee'] },
    },
    {
      id: 'fleet-discount',
      description: 'Twenty-five lines or more: 7 % off; the better of this and the multi-line credit applies.',
      phase: 'volume-term',
      condition: 'quantity >= 25',
      action: { type: 'percent-discount', value: '7' },
      priority: 20,
      order: 3,
      stacking: 'best-price',
      scope: { offerings: ['business-internet'], charges: ['monthly-fee'] },
    },
    {
      id: 'smb-welcome-credit-eur',
      description: 'Applied after the rep\'s manual discounts.',
      phase: 'manual',
      condition: 'segment = "smb" and termMonths >= 24',
      action: { type: 'amount-discount', value: '5.00', currency: 'EUR' },
      priority: 5,
      order: 1,
      stacking: 'stack',
      scope: { offerings: ['business-internet'], charges: ['monthly-fee'] },
    },
    {
      id: 'smb-welcome-credit-usd',
      phase: 'manual',
      condition: 'segment = "smb" and termMonths >= 24',
      action: { type: 'amount-discount', value: '5.00', currency: 'USD' },
      priority: 5,
      order: 2,
      stacking: 'stack',
      scope: { offerings: ['business-internet'], charges: ['monthly-fee'] },
    },
    {
      id: 'internet-floor-eur',
      phase: 'floor',
      condition: 'true',
      action: { type: 'floor', value: '25.00', currency: 'EUR' },
      priority: 0,
      order: 1,
      stacking: 'exclusive',
      scope: { offerings: ['business-internet'], charges: ['monthly-fee'] },
    },
    {
      id: 'internet-floor-usd',
      phase: 'floor',
      condition: 'true',
      action: { type: 'floor', value: '27.00', currency: 'USD' },
      priority: 0,
      order: 2,
      stacking: 'exclusive',
      scope: { offerings: ['business-internet'], charges: ['monthly-fee'] },
    },
    {
      id: 'router-floor-eur',
      phase: 'floor',
      condition: 'true',
      action: { type: 'floor', value: '12.00', currency: 'EUR' },
      priority: 0,
      order: 3,
      stacking: 'exclusive',
      scope: { offerings: ['managed-router'], charges: ['rental'] },
    },
    {
      id: 'router-floor-usd',
      phase: 'floor',
      condition: 'true',
      action: { type: 'floor', value: '13.00', currency: 'USD' },
      priority: 0,
      order: 4,
      stacking: 'exclusive',
      scope: { offerings: ['managed-router'], charges: ['rental'] },
    },
  ],
  // One-time fees when a change quote disconnects an installed asset (ADR 0022, addendum).
  disconnectFees: [
    {
      id: 'early-termination',
      name: 'Early termination fee',
      description: 'A Business Internet line disconnected with more than 90 days of its term left: 50 % of its remaining recurring charges.',
      condition: 'daysRemaining > 90',
      fee: { type: 'percent-of-remaining', value: '50' },
      scope: { offerings: ['business-internet'] },
    },
    {
      id: 'router-return-eur',
      name: 'Router return',
      description: 'Collecting and refurbishing a returned router, per router.',
      condition: 'true',
      fee: { type: 'amount', value: '75.00', currency: 'EUR' },
      scope: { offerings: ['managed-router'] },
    },
    {
      id: 'router-return-usd',
      name: 'Router return',
      description: 'Collecting and refurbishing a returned router, per router.',
      condition: 'true',
      fee: { type: 'amount', value: '85.00', currency: 'USD' },
      scope: { offerings: ['managed-router'] },
    },
  ],
};

const sdWanPricing: PricingRuleSetContent = {
  name: 'SD-WAN pricing',
  priceBooks: ['eur-list', 'usd-list'],
  rules: [
    {
      id: 'advanced-licence-surcharge',
      phase: 'list',
      condition: 'licenceTier = "advanced"',
      action: { type: 'markup', value: '30' },
      priority: 50,
      order: 1,
      stacking: 'stack',
      scope: { offerings: ['sd-wan-site'], charges: ['site-licence'] },
    },
    {
      id: 'large-estate',
      description: 'On top of the volume tiers: 100 sites or more, 5 % off the licences.',
      phase: 'volume-term',
      condition: 'offering = "sd-wan-site" and quantity >= 100',
      action: { type: 'percent-discount', value: '5' },
      priority: 30,
      order: 1,
      stacking: 'best-price',
      scope: { offerings: ['sd-wan-site'], charges: ['site-licence'] },
    },
    {
      id: 'site-licence-floor-eur',
      phase: 'floor',
      condition: 'true',
      action: { type: 'floor', value: '22.00', currency: 'EUR' },
      priority: 0,
      order: 1,
      stacking: 'exclusive',
      scope: { offerings: ['sd-wan-site'], charges: ['site-licence'] },
    },
    {
      id: 'site-licence-floor-usd',
      phase: 'floor',
      condition: 'true',
      action: { type: 'floor', value: '24.00', currency: 'USD' },
      priority: 0,
      order: 2,
      stacking: 'exclusive',
      scope: { offerings: ['sd-wan-site'], charges: ['site-licence'] },
    },
  ],
};

// Discount schedules ///////////////////////////////////////////////////////////////////////

const termDiscounts: DiscountScheduleContent = {
  name: 'Term discounts',
  basis: 'term',
  offerings: ['business-internet', 'managed-router', 'security-addon', 'sd-wan', 'sd-wan-site'],
  tiers: [
    { from: 12, to: 23, percent: '0' },
    { from: 24, to: 35, percent: '5' },
    { from: 36, percent: '10' },
  ],
};

const routerVolumeDiscounts: DiscountScheduleContent = {
  name: 'Router volume discounts',
  basis: 'quantity',
  offerings: ['managed-router'],
  tiers: [
    { from: 1, to: 9, percent: '0' },
    { from: 10, to: 49, percent: '3' },
    { from: 50, percent: '6' },
  ],
};

// Approval policy //////////////////////////////////////////////////////////////////////////

const standardApproval: ApprovalPolicyContent = {
  name: 'Standard approval matrix',
  levels: [
    {
      level: 1,
      role: 'rep',
      name: 'Sales rep',
      limits: { maxDiscountPercent: '10', maxDealValue: { amount: '250000.00', currency: 'EUR' }, minMarginPercent: '30', maxTermMonths: 36 },
    },
    {
      level: 2,
      role: 'sales-manager',
      name: 'Sales manager',
      limits: { maxDiscountPercent: '25', maxDealValue: { amount: '250000.00', currency: 'EUR' }, minMarginPercent: '15', maxTermMonths: 60 },
    },
    { level: 3, role: 'finance', name: 'Finance director', limits: {} },
  ],
  fourEyes: true,
  escalationSla: 'P2D',
  decisionModel: 'approval-level',
};

// Quote screen layouts /////////////////////////////////////////////////////////////////////

const layouts: Record<string, QuoteScreenLayoutContent> = {
  'business-internet-layout': {
    offering: 'business-internet',
    sections: [
      {
        key: 'access',
        title: 'Access',
        help: 'Copper carries at most 100 Mbit/s and 5G at most 1 Gbit/s.',
        fields: [{ characteristic: 'access' }, { characteristic: 'bandwidth', help: 'In steps of 50 Mbit/s, up to 10 Gbit/s on fiber.' }],
      },
      {
        key: 'service',
        title: 'Service level',
        help: 'The security add-on needs at least the business SLA.',
        fields: [
          { characteristic: 'slaTier' },
          { characteristic: 'backupLine', readOnly: true, help: 'Included with the premium SLA.' },
          { characteristic: 'staticIps', help: '0 to 64 addresses.' },
        ],
      },
      { key: 'installation', title: 'Installation', fields: [{ characteristic: 'installationDate' }, { characteristic: 'siteReference' }] },
    ],
  },
  'managed-router-layout': {
    offering: 'managed-router',
    sections: [
      {
        key: 'hardware',
        title: 'Router',
        help: 'Needs a Business Internet line on the quote.',
        fields: [{ characteristic: 'model' }, { characteristic: 'wifi', help: 'Branch routers only.' }, { characteristic: 'lteBackup', help: 'Branch routers only.' }],
      },
    ],
  },
  'security-addon-layout': {
    offering: 'security-addon',
    sections: [
      { key: 'protection', title: 'Protection', fields: [{ characteristic: 'protectionPackage' }, { characteristic: 'protectedUsers' }] },
      { key: 'reporting', title: 'Reporting', fields: [{ characteristic: 'reportRecipient', help: 'Receives the monthly security report.' }] },
    ],
  },
  'sd-wan-layout': {
    offering: 'sd-wan',
    sections: [
      {
        key: 'network',
        title: 'Network',
        help: '2 to 500 sites; a full mesh spans at most 50.',
        fields: [{ characteristic: 'sites' }, { characteristic: 'topology' }, { characteristic: 'controllerRedundancy', readOnly: true }],
      },
    ],
  },
  'sd-wan-site-layout': {
    offering: 'sd-wan-site',
    sections: [
      {
        key: 'site',
        title: 'Site',
        fields: [{ characteristic: 'siteName' }, { characteristic: 'siteRole' }, { characteristic: 'licenceTier', help: 'Hub sites need the advanced licence.' }],
      },
    ],
  },
};

// Fulfillment decomposition ////////////////////////////////////////////////////////////////

/**
 * What a change order asks of an installed asset of an offering (ADR 0022): a modify reaches the
 * system that provisions the service, then billing; a disconnect ends the service, then billing.
 */
const changeSteps = (system: string): Pick<FulfillmentDecompositionMapContent, 'modifySteps' | 'disconnectSteps'> => ({
  modifySteps: [
    { key: 'modify-service', name: 'Change the service', targetSystem: system, action: 'modify-service', dependsOn: [] },
    { key: 'change-billing', name: 'Change the subscription', targetSystem: 'billing', action: 'change-subscription', dependsOn: ['modify-service'] },
  ],
  disconnectSteps: [
    { key: 'deactivate-service', name: 'Deactivate the service', targetSystem: system, action: 'deactivate', dependsOn: [] },
    { key: 'stop-billing', name: 'End the subscription', targetSystem: 'billing', action: 'end-subscription', dependsOn: ['deactivate-service'] },
  ],
});

const fulfillment: Record<string, FulfillmentDecompositionMapContent> = {
  'business-internet-fulfillment': {
    offering: 'business-internet',
    steps: [
      { key: 'reserve-access', name: 'Reserve the access port', targetSystem: 'network-inventory', action: 'reserve-resource', dependsOn: [] },
      { key: 'allocate-ips', name: 'Allocate static IP addresses', targetSystem: 'ip-address-management', action: 'allocate-addresses', dependsOn: [] },
      { key: 'install-line', name: 'Install the line', targetSystem: 'field-service', action: 'schedule-installation', dependsOn: ['reserve-access'] },
      { key: 'activate-service', name: 'Activate the service', targetSystem: 'network-activation', action: 'activate', dependsOn: ['install-line', 'allocate-ips'] },
      { key: 'start-billing', name: 'Start billing', targetSystem: 'billing', action: 'create-subscription', dependsOn: ['activate-service'] },
      { key: 'notify-customer', name: 'Notify the customer', targetSystem: 'crm', action: 'send-notification', dependsOn: ['activate-service'] },
    ],
    ...changeSteps('network-activation'),
  },
  'managed-router-fulfillment': {
    offering: 'managed-router',
    steps: [
      { key: 'ship-router', name: 'Ship the router', targetSystem: 'logistics', action: 'ship-device', dependsOn: [] },
      { key: 'configure-router', name: 'Push the configuration', targetSystem: 'device-management', action: 'push-configuration', dependsOn: ['ship-router'] },
      { key: 'start-billing', name: 'Start billing', targetSystem: 'billing', action: 'create-subscription', dependsOn: ['configure-router'] },
    ],
    ...changeSteps('device-management'),
  },
  'security-addon-fulfillment': {
    offering: 'security-addon',
    steps: [
      { key: 'provision-protection', name: 'Provision the protection', targetSystem: 'security-platform', action: 'provision-tenant', dependsOn: [] },
      { key: 'start-billing', name: 'Start billing', targetSystem: 'billing', action: 'create-subscription', dependsOn: ['provision-protection'] },
    ],
    ...changeSteps('security-platform'),
  },
  'sd-wan-fulfillment': {
    offering: 'sd-wan',
    steps: [
      { key: 'create-overlay', name: 'Create the overlay', targetSystem: 'sd-wan-orchestrator', action: 'create-tenant', dependsOn: [] },
      { key: 'apply-policies', name: 'Apply the routing policies', targetSystem: 'sd-wan-orchestrator', action: 'apply-policies', dependsOn: ['create-overlay'] },
      { key: 'start-billing', name: 'Start billing', targetSystem: 'billing', action: 'create-subscription', dependsOn: ['apply-policies'] },
    ],
    ...changeSteps('sd-wan-orchestrator'),
  },
  'sd-wan-site-fulfillment': {
    offering: 'sd-wan-site',
    steps: [
      { key: 'onboard-edge', name: 'Onboard the site edge', targetSystem: 'sd-wan-orchestrator', action: 'onboard-edge', dependsOn: [] },
      { key: 'activate-site', name: 'Activate the site', targetSystem: 'sd-wan-orchestrator', action: 'activate-site', dependsOn: ['onboard-edge'] },
      { key: 'start-billing', name: 'Start billing', targetSystem: 'billing', action: 'create-subscription', dependsOn: ['activate-site'] },
    ],
    ...changeSteps('sd-wan-orchestrator'),
  },
};

// Models ///////////////////////////////////////////////////////////////////////////////////

const quoteApproval: BpmnModelContent = { name: 'Quote approval', processKey: 'quote-approval', xml: model('quote-approval.bpmn') };
const orderFulfillment: BpmnModelContent = { name: 'Order fulfillment', processKey: 'order-fulfillment', xml: model('order-fulfillment.bpmn') };
const approvalLevel: DmnModelContent = { name: 'Approval level', decisionKey: 'approval-level', xml: model('approval-level.dmn') };

/** Every item of the demo release (fresh copies on every call). */
export function demoCatalog(): MetadataItem[] {
  return structuredClone([
    item('product-specification', 'business-internet', businessInternetSpec),
    item('product-specification', 'managed-router', managedRouterSpec),
    item('product-specification', 'security-addon', securityAddonSpec),
    item('product-specification', 'sd-wan', sdWanSpec),
    item('product-specification', 'sd-wan-site', sdWanSiteSpec),
    item('product-offering', 'business-internet', businessInternet),
    item('product-offering', 'managed-router', managedRouter),
    item('product-offering', 'security-addon', securityAddon),
    item('product-offering', 'sd-wan', sdWan),
    item('product-offering', 'sd-wan-site', sdWanSite),
    item('bundle', 'sd-wan-site-pack', sdWanSitePack),
    item('bundle', 'sd-wan', sdWanBundle),
    item('configuration-rule-set', 'business-internet-rules', businessInternetRules),
    item('configuration-rule-set', 'managed-router-rules', managedRouterRules),
    item('configuration-rule-set', 'security-addon-rules', securityAddonRules),
    item('configuration-rule-set', 'sd-wan-rules', sdWanRules),
    item('configuration-rule-set', 'sd-wan-site-rules', sdWanSiteRules),
    item('price-book', 'eur-list', priceBook('EUR', (eur) => eur)),
    item('price-book', 'usd-list', priceBook('USD', usdFromEur)),
    item('pricing-rule-set', 'standard-pricing', standardPricing),
    item('pricing-rule-set', 'sd-wan-pricing', sdWanPricing),
    item('discount-schedule', 'term-discounts', termDiscounts),
    item('discount-schedule', 'router-volume-discounts', routerVolumeDiscounts),
    item('approval-policy', 'standard-approval', standardApproval),
    ...Object.entries(layouts).map(([key, content]) => item('quote-screen-layout', key, content)),
    item('bpmn-model', 'quote-approval', quoteApproval),
    item('bpmn-model', 'order-fulfillment', orderFulfillment),
    item('dmn-model', 'approval-level', approvalLevel),
    ...Object.entries(fulfillment).map(([key, content]) => item('fulfillment-decomposition-map', key, content)),
  ]);
}
