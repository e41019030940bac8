import { describe, expect, it } from 'vitest';
import { businessInternetFulfillment } from '@cpq/metadata/samples';
import { compensationOrder, decompose, type DecompositionMap } from './decomposition';

const internet: DecompositionMap = { key: 'business-internet-fulfillment', content: businessInternetFulfillment };
const router: DecompositionMap = {
  key: 'managed-router-fulfillment',
  content: {
    offering: 'managed-router',
    steps: [
      { key: 'ship-router', targetSystem: 'logistics', action: 'ship-device', dependsOn: [] },
      { key: 'configure-router', targetSystem: 'device-management', action: 'push-configuration', dependsOn: ['ship-router'] },
    ],
  },
};

describe('decompose: order lines -> fulfillment steps from the release\'s maps', () => {
  it('gives each line its offering\'s steps, keyed by line, with dependencies inside the line and waves by depth', () => {
    const result = decompose([{ lineId: 'L1', position: 1, offering: 'business-internet', action: 'add' }], [internet, router]);
    expect(result.ok).toBe(true);
    if (!result.ok) return;
    expect(result.steps.map((s) => [s.stepKey, s.wave, s.dependsOn])).toEqual([
      ['L1.reserve-access', 0, []],
      ['L1.install-line', 1, ['L1.reserve-access']],
      ['L1.activate-service', 2, ['L1.install-line']],
      ['L1.start-billing', 3, ['L1.activate-service']],
      ['L1.notify-customer', 3, ['L1.activate-service']],
    ]);
    expect(result.waves).toEqual([['L1.reserve-access'], ['L1.install-line'], ['L1.activate-service'], ['L1.start-billing', 'L1.notify-customer']]);
    expect(result.steps[0]).toMatchObject({ mapKey: 'business-internet-fulfillment', mapStepKey: 'reserve-access', targetSystem: 'network-inventory', action: 'reserve-resource', position: 0 });
  });

  it('runs independent lines in parallel: the same wave holds steps of both', () => {
    const result = decompose([
      { lineId: 'L2', position: 2, offering: 'managed-router', action: 'add' },
      { lineId: 'L1', position: 1, offering: 'business-internet', action: 'add' },
    ], [internet, router]);
    if (!result.ok) throw new Error('expected a plan');
    expect(result.waves[0]).toEqual(['L1.reserve-access', 'L2.ship-router']);
    expect(result.waves[1]).toEqual(['L1.install-line', 'L2.configure-router']);
    expect(result.steps.map((s) => s.position)).toEqual(result.steps.map((_, i) => i));
    // Every dependency is in an earlier wave.
    const wave = new Map(result.steps.map((s) => [s.stepKey, s.wave]));
    for (const step of result.steps) for (const dep of step.dependsOn) expect(wave.get(dep)!).toBeLessThan(step.wave);
  });

  it('a no-change line has nothing to fulfil', () => {
    const result = decompose([{ lineId: 'L1', position: 1, offering: 'business-internet', action: 'no-change' }], [internet]);
    expect(result).toEqual({ ok: true, steps: [], waves: [] });
  });

  it('a line whose offering has no map makes no plan (a model defect), naming every such line', () => {
    expect(decompose([
      { lineId: 'L1', position: 1, offering: 'business-internet', action: 'add' },
      { lineId: 'L2', position: 2, offering: 'security-addon', action: 'add' },
      { lineId: 'L3', position: 3, offering: 'sd-wan', action: 'add' },
    ], [internet])).toEqual({ ok: false, missing: [{ lineId: 'L2', offering: 'security-addon', action: 'add' }, { lineId: 'L3', offering: 'sd-wan', action: 'add' }] });
  });

  it('a change order takes the map\'s steps for each line\'s action: modify and disconnect lines their own lists, beside an add', () => {
    const result = decompose([
      { lineId: 'L1', position: 1, offering: 'business-internet', action: 'modify' },
      { lineId: 'L2', position: 2, offering: 'business-internet', action: 'disconnect' },
      { lineId: 'L3', position: 3, offering: 'business-internet', action: 'no-change' },
      { lineId: 'L4', position: 4, offering: 'managed-router', action: 'add' },
    ], [internet, router]);
    if (!result.ok) throw new Error(`expected a plan: ${JSON.stringify(result)}`);
    expect(result.waves).toEqual([
      ['L1.modify-service', 'L2.deactivate-service', 'L4.ship-router'],
      ['L1.change-billing', 'L2.release-access', 'L2.stop-billing', 'L4.configure-router'],
    ]);
    expect(result.steps.find((s) => s.stepKey === 'L2.stop-billing')).toMatchObject({ targetSystem: 'billing', action: 'end-subscription', dependsOn: ['L2.deactivate-service'] });
  });

  it('a modify or disconnect line whose map has no steps for that action makes no plan (a model defect naming the action)', () => {
    expect(decompose([
      { lineId: 'L1', position: 1, offering: 'business-internet', action: 'modify' },
      { lineId: 'L2', position: 2, offering: 'managed-router', action: 'disconnect' },
    ], [internet, router])).toEqual({ ok: false, missing: [{ lineId: 'L2', offering: 'managed-router', action: 'disconnect' }] });
  });

  it('is deterministic, and compensation runs in reverse plan order', () => {
    const lines = [{ lineId: 'L1', position: 1, offering: 'business-internet', action: 'add' }, { lineId: 'L2', position: 2, offering: 'managed-router', action: 'add' }];
    const a = decompose(lines, [internet, router]);
    const b = decompose([...lines].reverse(), [router, internet]);
    expect(a).toEqual(b);
    if (!a.ok) return;
    const acted = a.steps.filter((s) => s.wave <= 1);
    expect(compensationOrder(acted)).toEqual(['L2.configure-router', 'L1.install-line', 'L2.ship-router', 'L1.reserve-access']);
  });
});
