import { describe } from 'vitest';
import type { FulfillmentDecompositionMapContent } from './fulfillment-decomposition-map.kind';
import { kindCases, raw, ref, type InvalidCase } from './test-support';

const cases: InvalidCase<FulfillmentDecompositionMapContent>[] = [
  { name: 'no step', change: (c) => (c.steps = []), code: 'schema.minItems', pointer: '/steps' },
  { name: 'a step without dependsOn', change: (c) => delete raw(c.steps[0]).dependsOn, code: 'schema.required', pointer: '/steps/0' },
  { name: 'a target system that is not a key', change: (c) => (c.steps[0]!.targetSystem = 'Network Inventory'), code: 'schema.pattern', pointer: '/steps/0/targetSystem' },
  { name: 'a dependency listed twice', change: (c) => (c.steps[4]!.dependsOn = ['activate-service', 'activate-service']), code: 'schema.uniqueItems', pointer: '/steps/4/dependsOn' },
  { name: 'an offering that does not resolve', change: (c) => (c.offering = 'fiber-internet'), code: 'reference.unresolved', pointer: '/offering' },
  { name: 'a step key listed twice', change: (c) => (c.steps[1]!.key = 'reserve-access'), code: 'duplicate', pointer: '/steps/1/key' },
  { name: 'a dependency on an unknown step', change: (c) => (c.steps[1]!.dependsOn = ['survey-site']), code: 'step.unknown', pointer: '/steps/1/dependsOn/0' },
  { name: 'a step depending on itself', change: (c) => (c.steps[0]!.dependsOn = ['reserve-access']), code: 'cycle', pointer: '/steps/0/dependsOn/0' },
  { name: 'steps depending on each other', change: (c) => (c.steps[0]!.dependsOn = ['start-billing']), code: 'cycle', pointer: '/steps/0/dependsOn/0' },
  // A change order's lists are DAGs of their own: a modify step cannot wait for an add step.
  { name: 'a modify step depending on an add step', change: (c) => (c.modifySteps![1]!.dependsOn = ['activate-service']), code: 'step.unknown', pointer: '/modifySteps/1/dependsOn/0' },
  { name: 'a disconnect step key listed twice', change: (c) => (c.disconnectSteps![1]!.key = 'deactivate-service'), code: 'duplicate', pointer: '/disconnectSteps/1/key' },
  { name: 'disconnect steps depending on each other', change: (c) => (c.disconnectSteps![0]!.dependsOn = ['stop-billing']), code: 'cycle', pointer: '/disconnectSteps/0/dependsOn/0' },
  { name: 'an empty list of modify steps', change: (c) => (c.modifySteps = []), code: 'schema.minItems', pointer: '/modifySteps' },
];

describe('fulfillment-decomposition-map', () => kindCases(ref('fulfillment-decomposition-map', 'business-internet-fulfillment'), cases));
