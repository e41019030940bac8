import type { MetadataItem, MetadataKind } from '../types';
import type { ApprovalPolicyContent } from './approval-policy.kind';
import type { BpmnModelContent } from './bpmn-model.kind';
import type { BundleContent } from './bundle.kind';
import type { ConfigurationRuleSetContent } from './configuration-rule-set.kind';
import type { DiscountScheduleContent } from './discount-schedule.kind';
import type { DmnModelContent } from './dmn-model.kind';
import type { FulfillmentDecompositionMapContent } from './fulfillment-decomposition-map.kind';
import type { PriceBookContent } from './price-book.kind';
import type { PricingRuleSetContent } from './pricing-rule-set.kind';
import type { ProductOfferingContent } from './product-offering.kind';
import type { ProductSpecificationContent } from './product-specification.kind';
import type { QuoteScreenLayoutContent } from './quote-screen-layout.kind';

/**
 * A small, coherent and valid catalog with one item of every kind (and the offerings they need):
 * Business Internet (access fiber/copper/5G, bandwidth 50 Mbit/s-10 Gbit/s, SLA tier, static
 * IPs), a Managed Router that requires it, a Security add-on that excludes the basic SLA, an
 * SD-WAN bundle, EUR list prices, pricing rules, term discounts, the approval matrix with its
 * DMN, the quote-approval BPMN, a quote screen layout and a fulfillment decomposition.
 * `validateReleaseSet(sampleCatalog(), ...)` finds no issue. Tests elsewhere reuse it.
 */

const item = <C>(kind: MetadataKind, key: string, content: C): MetadataItem<C> => ({ kind, key, content });

export const businessInternetSpec: ProductSpecificationContent = {
  name: 'Business Internet',
  characteristics: [
    {
      key: 'access',
      name: 'Access technology',
      valueType: 'enum',
      required: true,
      values: [
        { value: 'fiber', label: 'Fiber' },
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
        { value: 'standard', label: 'Standard (8 hours)' },
        { value: 'premium', label: 'Premium (4 hours, 24/7)' },
      ],
      default: 'standard',
    },
    { key: 'staticIps', name: 'Static IP addresses', valueType: 'integer', required: false, range: { min: 0, max: 64, step: 1 }, default: 0 },
    { key: 'backupLine', name: 'Backup line', valueType: 'boolean', required: false, default: false },
    { key: 'installationDate', name: 'Preferred installation date', valueType: 'date', required: false },
    { key: 'siteReference', name: 'Site reference', valueType: 'string', required: false, maxLength: 80 },
  ],
};

export const managedRouterSpec: ProductSpecificationContent = {
  name: 'Managed Router',
  characteristics: [
    {
      key: 'model',
      name: 'Router model',
      valueType: 'enum',
      required: true,
      values: [
        { value: 'small', label: 'Small office (1 Gbit/s)' },
        { value: 'large', label: 'Large site (10 Gbit/s)' },
      ],
      default: 'small',
    },
    { key: 'wifi', name: 'Wi-Fi', valueType: 'boolean', required: false, default: true },
  ],
};

export const securityAddonSpec: ProductSpecificationContent = { name: 'Security add-on', characteristics: [] };

export const sdWanSpec: ProductSpecificationContent = {
  name: 'SD-WAN',
  characteristics: [{ key: 'sites', name: 'Sites', valueType: 'integer', required: true, range: { min: 2, max: 500 }, default: 2 }],
};

const eligibility = { channels: ['direct', 'partner'], segments: ['enterprise', 'smb'] };

export const businessInternetOffering: ProductOfferingContent = {
  name: 'Business Internet',
  specification: 'business-internet',
  status: 'active',
  validFrom: '2025-01-01',
  ...eligibility,
  charges: [
    { key: 'installation', name: 'Installation', type: 'one-time' },
    { key: 'monthly-fee', name: 'Monthly fee', type: 'recurring', period: 'monthly' },
    { key: 'static-ip', name: 'Static IP address', type: 'recurring', period: 'monthly' },
  ],
  maxQuantity: 20,
};

export const managedRouterOffering: ProductOfferingContent = {
  name: 'Managed Router',
  specification: 'managed-router',
  status: 'active',
  validFrom: '2025-01-01',
  ...eligibility,
  charges: [{ key: 'rental', name: 'Router rental', type: 'recurring', period: 'monthly' }],
};

export const securityAddonOffering: ProductOfferingContent = {
  name: 'Security add-on',
  specification: 'security-addon',
  status: 'active',
  validFrom: '2025-01-01',
  ...eligibility,
  charges: [{ key: 'monthly-fee', name: 'Monthly fee', type: 'recurring', period: 'monthly' }],
};

export const sdWanOffering: ProductOfferingContent = {
  name: 'SD-WAN',
  specification: 'sd-wan',
  status: 'active',
  validFrom: '2025-01-01',
  validTo: '2030-01-01',
  channels: ['direct'],
  segments: ['enterprise'],
  charges: [
    { key: 'setup', name: 'Setup', type: 'one-time' },
    { key: 'site-licence', name: 'Site licence', type: 'recurring', period: 'monthly' },
  ],
};

export const sdWanBundle: BundleContent = {
  name: 'SD-WAN bundle',
  offering: 'sd-wan',
  groups: [
    { key: 'hardware', name: 'Hardware', min: 0, max: 1 },
    { key: 'add-ons', name: 'Add-ons', min: 0, max: 1 },
  ],
  options: [
    { offering: 'business-internet', min: 2, max: 500, defaultQuantity: 2 },
    { offering: 'managed-router', min: 0, max: 500, defaultQuantity: 2, group: 'hardware' },
    { offering: 'security-addon', min: 0, max: 1, defaultQuantity: 0, group: 'add-ons' },
  ],
};

export const businessInternetRules: ConfigurationRuleSetContent = {
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
        ['fiber', 'standard'],
        ['fiber', 'premium'],
        ['copper', 'basic'],
        ['copper', 'standard'],
        ['5g', 'standard'],
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
      message: 'The security add-on needs at least the standard SLA',
      severity: 'error',
    },
  ],
};

export const managedRouterRules: ConfigurationRuleSetContent = {
  name: 'Managed Router rules',
  targets: ['managed-router'],
  rules: [{ id: 'needs-internet', type: 'requires', offerings: ['business-internet'], message: 'A managed router needs a Business Internet line', severity: 'error' }],
};

export const eurListPrices: PriceBookContent = {
  name: 'EUR list prices',
  currency: 'EUR',
  validFrom: '2025-01-01',
  entries: [
    { offering: 'business-internet', charge: 'installation', type: 'flat', price: '199.00' },
    {
      offering: 'business-internet',
      charge: 'monthly-fee',
      type: 'attribute',
      characteristic: 'bandwidth',
      rows: [
        { min: 50, max: 100, price: '49.00' },
        { min: 150, max: 1000, price: '99.00' },
        { min: 1050, max: 10000, price: '299.00' },
      ],
    },
    {
      offering: 'business-internet',
      charge: 'static-ip',
      quantityFrom: 'staticIps',
      type: 'tiered',
      mode: 'slab',
      tiers: [
        { from: 1, to: 8, price: '5.00' },
        { from: 9, price: '3.50' },
      ],
    },
    { offering: 'managed-router', charge: 'rental', type: 'flat', price: '15.00' },
    { offering: 'security-addon', charge: 'monthly-fee', type: 'flat', price: '29.90' },
    { offering: 'sd-wan', charge: 'setup', type: 'flat', price: '500.00' },
    {
      offering: 'sd-wan',
      charge: 'site-licence',
      type: 'tiered',
      mode: 'range',
      tiers: [
        { from: 1, to: 9, price: '45.00' },
        { from: 10, to: 49, price: '40.00' },
        { from: 50, price: '35.00' },
      ],
    },
  ],
};

export const standardPricing: PricingRuleSetContent = {
  name: 'Standard pricing',
  priceBooks: ['eur-list'],
  rules: [
    {
      id: 'free-installation-promo',
      phase: 'list',
      condition: 'charge = "installation" and termMonths >= 24',
      action: { type: 'override', value: '0.00', currency: 'EUR' },
      priority: 100,
      order: 1,
      stacking: 'exclusive',
      scope: { offerings: ['business-internet'], charges: ['installation'] },
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
      id: 'partner-markup',
      phase: 'customer',
      condition: 'channel = "partner"',
      action: { type: 'markup', value: '3' },
      priority: 10,
      order: 2,
      stacking: 'stack',
    },
    {
      id: 'loyalty-credit',
      phase: 'volume-term',
      condition: 'termMonths >= 36 and quantity >= 10',
      action: { type: 'amount-discount', value: '2.50', currency: 'EUR' },
      priority: 5,
      order: 1,
      stacking: 'best-price',
      scope: { charges: ['monthly-fee'] },
    },
    {
      id: 'internet-floor',
      phase: 'floor',
      condition: 'true',
      action: { type: 'floor', value: '25.00', currency: 'EUR' },
      priority: 0,
      order: 1,
      stacking: 'exclusive',
      scope: { offerings: ['business-internet'], charges: ['monthly-fee'] },
    },
  ],
  disconnectFees: [
    {
      id: 'early-termination',
      name: 'Early termination fee',
      description: 'Disconnecting a line with more than 180 days of its term left: 25 % of what its recurring charges would still have cost.',
      condition: 'daysRemaining > 180',
      fee: { type: 'percent-of-remaining', value: '25' },
      scope: { offerings: ['business-internet'] },
    },
  ],
};

export const termDiscounts: DiscountScheduleContent = {
  name: 'Term discounts',
  basis: 'term',
  offerings: ['business-internet', 'sd-wan'],
  tiers: [
    { from: 12, to: 23, percent: '0' },
    { from: 24, to: 35, percent: '5' },
    { from: 36, percent: '10' },
  ],
};

export const standardApproval: ApprovalPolicyContent = {
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
  quoteValidityDays: 45,
};

export const businessInternetLayout: QuoteScreenLayoutContent = {
  offering: 'business-internet',
  sections: [
    {
      key: 'access',
      title: 'Access',
      help: 'Copper carries at most 100 Mbit/s and 5G at most 1 Gbit/s.',
      fields: [{ characteristic: 'access' }, { characteristic: 'bandwidth', help: 'In steps of 50 Mbit/s.' }],
    },
    {
      key: 'service',
      title: 'Service level',
      fields: [{ characteristic: 'slaTier' }, { characteristic: 'backupLine', readOnly: true }, { characteristic: 'staticIps' }],
    },
    { key: 'installation', title: 'Installation', fields: [{ characteristic: 'installationDate' }, { characteristic: 'siteReference' }] },
  ],
};

/** Topic of the quote-approval process's external task (the step id, STYLE.md habit 7). */
export const RECORD_APPROVAL_DECISION = 'quote.record-approval-decision';

export const quoteApprovalBpmn = `<?xml version="1.0" encoding="UTF-8"?>
<bpmn:definitions xmlns:bpmn="http://www.omg.org/spec/BPMN/20100524/MODEL"
                  xmlns:bpmndi="http://www.omg.org/spec/BPMN/20100524/DI"
                  xmlns:dc="http://www.omg.org/spec/DD/20100524/DC"
                  xmlns:di="http://www.omg.org/spec/DD/20100524/DI"
                  xmlns:camunda="http://camunda.org/schema/1.0/bpmn"
                  id="quote-approval-definitions"
                  targetNamespace="https://cpq.example/bpmn/quote-approval">
  <bpmn:process id="quote-approval" name="Quote approval" isExecutable="true" camunda:historyTimeToLive="P180D">
    <bpmn:startEvent id="submitted" name="Quote submitted">
      <bpmn:outgoing>toApprove</bpmn:outgoing>
    </bpmn:startEvent>
    <bpmn:sequenceFlow id="toApprove" sourceRef="submitted" targetRef="approve" />
    <bpmn:userTask id="approve" name="Approve quote" camunda:candidateGroups="\${approverRole}">
      <bpmn:incoming>toApprove</bpmn:incoming>
      <bpmn:outgoing>toRecord</bpmn:outgoing>
    </bpmn:userTask>
    <bpmn:sequenceFlow id="toRecord" sourceRef="approve" targetRef="record" />
    <bpmn:serviceTask id="record" name="Record decision" camunda:type="external" camunda:topic="${RECORD_APPROVAL_DECISION}">
      <bpmn:incoming>toRecord</bpmn:incoming>
      <bpmn:outgoing>toDecided</bpmn:outgoing>
    </bpmn:serviceTask>
    <bpmn:sequenceFlow id="toDecided" sourceRef="record" targetRef="decided" />
    <bpmn:endEvent id="decided" name="Quote decided">
      <bpmn:incoming>toDecided</bpmn:incoming>
    </bpmn:endEvent>
  </bpmn:process>
  <bpmndi:BPMNDiagram id="quote-approval-diagram">
    <bpmndi:BPMNPlane id="quote-approval-plane" bpmnElement="quote-approval">
      <bpmndi:BPMNShape id="submitted_di" bpmnElement="submitted">
        <dc:Bounds x="152" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="approve_di" bpmnElement="approve">
        <dc:Bounds x="240" y="80" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="record_di" bpmnElement="record">
        <dc:Bounds x="390" y="80" width="100" height="80" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNShape id="decided_di" bpmnElement="decided">
        <dc:Bounds x="542" y="102" width="36" height="36" />
      </bpmndi:BPMNShape>
      <bpmndi:BPMNEdge id="toApprove_di" bpmnElement="toApprove">
        <di:waypoint x="188" y="120" />
        <di:waypoint x="240" y="120" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="toRecord_di" bpmnElement="toRecord">
        <di:waypoint x="340" y="120" />
        <di:waypoint x="390" y="120" />
      </bpmndi:BPMNEdge>
      <bpmndi:BPMNEdge id="toDecided_di" bpmnElement="toDecided">
        <di:waypoint x="490" y="120" />
        <di:waypoint x="542" y="120" />
      </bpmndi:BPMNEdge>
    </bpmndi:BPMNPlane>
  </bpmndi:BPMNDiagram>
</bpmn:definitions>
`;

export const quoteApprovalModel: BpmnModelContent = { name: 'Quote approval', processKey: 'quote-approval', xml: quoteApprovalBpmn };

export const approvalLevelDmn = `<?xml version="1.0" encoding="UTF-8"?>
<definitions xmlns="https://www.omg.org/spec/DMN/20191111/MODEL/"
             xmlns:camunda="http://camunda.org/schema/1.0/dmn"
             id="approval-level-definitions" name="Approval level" namespace="https://cpq.example/dmn/approval-level">
  <decision id="approval-level" name="Approval level" camunda:historyTimeToLive="P180D">
    <decisionTable id="approval-level-table" hitPolicy="FIRST">
      <input id="discount" label="Discount percent">
        <inputExpression id="discount-expression" typeRef="number"><text>discountPercent</text></inputExpression>
      </input>
      <input id="deal-value" label="Deal value (EUR)">
        <inputExpression id="deal-value-expression" typeRef="number"><text>dealValue</text></inputExpression>
      </input>
      <output id="level" label="Approval level" name="level" typeRef="string" />
      <rule id="large-deal">
        <inputEntry id="large-deal-discount"><text>-</text></inputEntry>
        <inputEntry id="large-deal-value"><text>&gt; 250000</text></inputEntry>
        <outputEntry id="large-deal-level"><text>"finance"</text></outputEntry>
      </rule>
      <rule id="rep">
        <inputEntry id="rep-discount"><text>&lt;= 10</text></inputEntry>
        <inputEntry id="rep-value"><text>-</text></inputEntry>
        <outputEntry id="rep-level"><text>"rep"</text></outputEntry>
      </rule>
      <rule id="manager">
        <inputEntry id="manager-discount"><text>&lt;= 25</text></inputEntry>
        <inputEntry id="manager-value"><text>-</text></inputEntry>
        <outputEntry id="manager-level"><text>"sales-manager"</text></outputEntry>
      </rule>
      <rule id="above">
        <inputEntry id="above-discount"><text>-</text></inputEntry>
        <inputEntry id="above-value"><text>-</text></inputEntry>
        <outputEntry id="above-level"><text>"finance"</text></outputEntry>
      </rule>
    </decisionTable>
  </decision>
</definitions>
`;

export const approvalLevelModel: DmnModelContent = { name: 'Approval level', decisionKey: 'approval-level', xml: approvalLevelDmn };

export const businessInternetFulfillment: FulfillmentDecompositionMapContent = {
  offering: 'business-internet',
  steps: [
    { key: 'reserve-access', name: 'Reserve access port', targetSystem: 'network-inventory', action: 'reserve-resource', dependsOn: [] },
    { key: 'install-line', name: 'Install the line', targetSystem: 'field-service', action: 'schedule-installation', dependsOn: ['reserve-access'] },
    { key: 'activate-service', name: 'Activate the service', targetSystem: 'network-activation', action: 'activate', dependsOn: ['install-line'] },
    { key: 'start-billing', name: 'Start billing', targetSystem: 'billing', action: 'create-subscription', dependsOn: ['activate-service'] },
    { key: 'notify-customer', name: 'Notify the customer', targetSystem: 'crm', action: 'send-notification', dependsOn: ['activate-service'] },
  ],
  // A change order on an installed line: new selections (or a renewed term) reach the network, then billing.
  modifySteps: [
    { key: 'modify-service', name: 'Change the service', targetSystem: 'network-activation', action: 'modify-service', dependsOn: [] },
    { key: 'change-billing', name: 'Change the subscription', targetSystem: 'billing', action: 'change-subscription', dependsOn: ['modify-service'] },
  ],
  disconnectSteps: [
    { key: 'deactivate-service', name: 'Deactivate the service', targetSystem: 'network-activation', action: 'deactivate', dependsOn: [] },
    { key: 'release-access', name: 'Release the access port', targetSystem: 'network-inventory', action: 'release-resource', dependsOn: ['deactivate-service'] },
    { key: 'stop-billing', name: 'End the subscription', targetSystem: 'billing', action: 'end-subscription', dependsOn: ['deactivate-service'] },
  ],
};

/** The whole sample catalog as release items (fresh copies on every call). */
export function sampleCatalog(): MetadataItem[] {
  return structuredClone([
    item('product-specification', 'business-internet', businessInternetSpec),
    item('product-specification', 'managed-router', managedRouterSpec),
    item('product-specification', 'security-addon', securityAddonSpec),
    item('product-specification', 'sd-wan', sdWanSpec),
    item('product-offering', 'business-internet', businessInternetOffering),
    item('product-offering', 'managed-router', managedRouterOffering),
    item('product-offering', 'security-addon', securityAddonOffering),
    item('product-offering', 'sd-wan', sdWanOffering),
    item('bundle', 'sd-wan-bundle', sdWanBundle),
    item('configuration-rule-set', 'business-internet-rules', businessInternetRules),
    item('configuration-rule-set', 'managed-router-rules', managedRouterRules),
    item('price-book', 'eur-list', eurListPrices),
    item('pricing-rule-set', 'standard-pricing', standardPricing),
    item('discount-schedule', 'term-discounts', termDiscounts),
    item('approval-policy', 'standard-approval', standardApproval),
    item('quote-screen-layout', 'business-internet-layout', businessInternetLayout),
    item('bpmn-model', 'quote-approval', quoteApprovalModel),
    item('dmn-model', 'approval-level', approvalLevelModel),
    item('fulfillment-decomposition-map', 'business-internet-fulfillment', businessInternetFulfillment),
  ]);
}
