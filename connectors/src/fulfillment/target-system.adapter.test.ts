import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { startTargetSystems, type TargetSystems } from '../target-systems/target-systems.service';
import { createTargetSystemAdapters, TargetUnavailable, type StepRequest } from './target-system.adapter';

// The adapters against the real target-systems service (in this process, on a free port): what
// each failure mode of a system looks like to a worker. Unknown outcomes are never guessed (O4).
describe('target-system adapters against the simulated systems', () => {
  let systems: TargetSystems;
  let adapters: ReturnType<typeof createTargetSystemAdapters>;
  let n = 0;
  const request = (action = 'reserve-resource'): StepRequest => ({
    tenantId: 't1', orderId: 'o1', stepKey: 'L1.reserve-access', requestKey: `o1:L1.reserve-access:${(n += 1)}`, action,
    line: { lineId: 'L1', offering: 'business-internet', quantity: 1, action: 'add', selections: { bandwidth: 500 } },
  });
  const rule = (match: TargetSystems['rules'][number]['match'], behaviour: TargetSystems['rules'][number]['behaviour'], times: number | null = null) =>
    systems.rules.unshift({ id: `r${systems.rules.length}`, match, behaviour, times, used: 0 });

  beforeAll(async () => {
    systems = await startTargetSystems({
      host: '127.0.0.1', port: 0, latencyMs: 0, failureRate: 0, asyncSystems: ['field-service'], callbackDelayMs: 10_000, holdMs: 2_000,
      engineUrl: 'http://127.0.0.1:45671', credential: undefined,
    });
    adapters = createTargetSystemAdapters({ baseUrl: systems.url, callbackUrl: 'http://127.0.0.1:9', timeoutMs: 300 });
  });
  afterAll(async () => {
    await systems?.stop();
  });
  beforeEach(() => {
    systems.rules.splice(0);
  });
  const inventory = () => adapters.adapterFor('network-inventory');

  it('completes, and a repeat of the same request key gets the first answer without acting twice', async () => {
    const r = request();
    const first = await inventory().execute('network-inventory', r);
    expect(first).toMatchObject({ kind: 'completed', externalReference: expect.stringMatching(/^RSV-/) });
    expect(await inventory().execute('network-inventory', r)).toEqual(first);
    expect([...systems.records.values()].filter((x) => x.requestKey === r.requestKey)).toHaveLength(1);
    expect(await inventory().query('network-inventory', r.requestKey)).toMatchObject({ found: true, status: 'completed', externalReference: (first as { externalReference: string }).externalReference });
  });

  it('a provisioning system accepts (202) and will call back; a refusal is a business outcome with its reason', async () => {
    expect(await adapters.adapterFor('field-service').execute('field-service', request('schedule-installation'))).toMatchObject({ kind: 'accepted', externalReference: expect.stringMatching(/^PRV-/) });
    rule({ system: 'network-inventory' }, { refuse: 'no free port at the site' }, 1);
    expect(await inventory().execute('network-inventory', request())).toMatchObject({ kind: 'refused', reason: 'no free port at the site' });
  });

  it('an answer lost after the system acted is unknown, and only the query by our key tells it was done', async () => {
    rule({ system: 'network-inventory', operation: 'execute' }, { unknownOutcome: true }, 1);
    const r = request();
    const outcome = await inventory().execute('network-inventory', r);
    expect(outcome.kind).toBe('unknown');
    expect(await inventory().query('network-inventory', r.requestKey)).toMatchObject({ found: true, status: 'completed' });
    // A request that never arrived is "not found": safe to send again.
    expect(await inventory().query('network-inventory', 'o1:never:1')).toEqual({ found: false });
  });

  it('a timeout without effect is unknown too, and the query says it was never received', async () => {
    rule({ system: 'network-inventory', operation: 'execute' }, { timeoutMs: 1_000 }, 1);
    const r = request();
    expect((await inventory().execute('network-inventory', r)).kind).toBe('unknown');
    expect(await inventory().query('network-inventory', r.requestKey)).toEqual({ found: false });
  });

  it('5xx and an unreachable system are TargetUnavailable (retry with the same key), never an outcome', async () => {
    rule({ system: 'billing' }, { status: 503 }, 1);
    const r = request('create-subscription');
    await expect(adapters.adapterFor('billing').execute('billing', r)).rejects.toBeInstanceOf(TargetUnavailable);
    expect(systems.records.has(r.requestKey)).toBe(false);
    expect(await adapters.adapterFor('billing').execute('billing', r)).toMatchObject({ kind: 'completed', externalReference: expect.stringMatching(/^BIL-/) });
    // A port nothing listens on (refused before a byte was sent).
    const nowhere = createTargetSystemAdapters({ baseUrl: 'http://127.0.0.1:45671', callbackUrl: 'http://127.0.0.1:45671', timeoutMs: 300 });
    await expect(nowhere.adapterFor('billing').execute('billing', request())).rejects.toBeInstanceOf(TargetUnavailable);
    rule({ system: 'billing', operation: 'query' }, { status: 502 }, 1);
    await expect(adapters.adapterFor('billing').query('billing', r.requestKey)).rejects.toBeInstanceOf(TargetUnavailable);
  });

  it('reverses by request key, idempotently; nothing to reverse for a request never received or refused; a refused reversal says why', async () => {
    const r = request();
    await inventory().execute('network-inventory', r);
    expect(await inventory().reverse('network-inventory', r.requestKey)).toEqual({ kind: 'reversed' });
    expect(await inventory().reverse('network-inventory', r.requestKey)).toEqual({ kind: 'reversed' });
    expect(await inventory().query('network-inventory', r.requestKey)).toMatchObject({ status: 'reversed' });
    expect(await inventory().reverse('network-inventory', 'o1:never:1')).toEqual({ kind: 'nothing-to-reverse' });
    const other = request();
    await inventory().execute('network-inventory', other);
    rule({ operation: 'reverse', keyContains: other.requestKey }, { refuse: 'the port is already patched' }, 1);
    expect(await inventory().reverse('network-inventory', other.requestKey)).toEqual({ kind: 'refused', reason: 'the port is already patched' });
    expect(await inventory().reverse('network-inventory', other.requestKey)).toEqual({ kind: 'reversed' });
  });

  it('a refusal after part of the work (partial) holds it until reversed; a plain refusal has nothing to reverse', async () => {
    const partial = request();
    rule({ system: 'network-inventory', keyContains: partial.requestKey }, { refuse: 'the site survey failed after the port was reserved', partial: true }, 1);
    expect(await inventory().execute('network-inventory', partial)).toMatchObject({ kind: 'refused', reason: 'the site survey failed after the port was reserved' });
    expect(systems.records.get(partial.requestKey)).toMatchObject({ status: 'refused', partial: true });
    expect(await inventory().reverse('network-inventory', partial.requestKey)).toEqual({ kind: 'reversed' });
    expect(await inventory().reverse('network-inventory', partial.requestKey)).toEqual({ kind: 'reversed' });
    expect(await inventory().query('network-inventory', partial.requestKey)).toMatchObject({ found: true, status: 'reversed' });
    const plain = request();
    rule({ system: 'network-inventory', keyContains: plain.requestKey }, { refuse: 'no free port at the site' }, 1);
    await inventory().execute('network-inventory', plain);
    expect(await inventory().reverse('network-inventory', plain.requestKey)).toEqual({ kind: 'nothing-to-reverse' });
    expect(await inventory().query('network-inventory', plain.requestKey)).toMatchObject({ status: 'refused' });
  });

  it('rules match by system, action, operation and key, count their uses, and every request is in the journal', async () => {
    rule({ keyContains: 'o1:L1.reserve-access' }, { status: 500 }, 2);
    const r = request();
    await expect(inventory().execute('network-inventory', r)).rejects.toBeInstanceOf(TargetUnavailable);
    await expect(inventory().execute('network-inventory', r)).rejects.toBeInstanceOf(TargetUnavailable);
    expect((await inventory().execute('network-inventory', r)).kind).toBe('completed');
    expect(systems.journal.filter((e) => e.requestKey === r.requestKey).map((e) => e.answered)).toEqual([500, 500, 200]);
    expect(() => adapters.adapterFor('mainframe')).toThrow(/no adapter for target system mainframe/);
  });
});
