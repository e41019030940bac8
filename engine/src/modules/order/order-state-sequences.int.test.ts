import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrderFixture, type OrderFixture } from '../../../test/order-fixture';
import type { Reply } from '../../../test/quote-fixture';
import { DONE, MAY_HAVE_ACTED, ORDER_TRANSITIONS, STEP_TRANSITIONS, stepAllows, transitionPairs, type OrderState, type StepCommand, type StepState } from './order.state';

// O3: the order and its steps follow their transition tables whatever commands arrive, in
// whatever order. fast-check generates sequences of worker, target-system and user commands;
// each runs through the HTTP API on a fresh order (real PostgreSQL and Camunda), against a model
// built from the tables (order.state.ts). After every command: the answer is the model's (200 or
// 409, never a 5xx), and every state change the order's events report is a row of the tables.

const STEPS = ['L1.reserve-access', 'L1.install-line'] as const;
type Key = (typeof STEPS)[number];
type Command =
  | { kind: 'begin'; step: Key }
  | { kind: 'outcome'; step: Key; outcome: 'completed' | 'accepted' | 'failed' | 'unknown' | 'not-found'; currentKey: boolean }
  | { kind: 'callback'; step: Key; outcome: 'completed' | 'failed'; ref: string }
  | { kind: 'cancel' }
  | { kind: 'begin-compensation'; step: Key }
  | { kind: 'record-compensation'; step: Key; outcome: 'compensated' | 'failed' };

const command: fc.Arbitrary<Command> = fc.oneof(
  { weight: 4, arbitrary: fc.record({ kind: fc.constant('begin' as const), step: fc.constantFrom(...STEPS) }) },
  { weight: 5, arbitrary: fc.record({ kind: fc.constant('outcome' as const), step: fc.constantFrom(...STEPS), outcome: fc.constantFrom('completed', 'accepted', 'failed', 'unknown', 'not-found'), currentKey: fc.constantFrom(true, true, true, true, false) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('callback' as const), step: fc.constantFrom(...STEPS), outcome: fc.constantFrom('completed', 'failed'), ref: fc.constantFrom('ext-a', 'ext-b') }) },
  { weight: 1, arbitrary: fc.constant({ kind: 'cancel' as const }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('begin-compensation' as const), step: fc.constantFrom(...STEPS) }) },
  { weight: 2, arbitrary: fc.record({ kind: fc.constant('record-compensation' as const), step: fc.constantFrom(...STEPS), outcome: fc.constantFrom('compensated', 'failed') }) },
);

type StepModel = { state: StepState; attempt: number; key: string | null; ref: string | null };
type Model = { order: OrderState; steps: Record<string, StepModel>; seenCallbacks: Set<string> };

const OUTCOME: Record<string, [StepCommand, StepState]> = {
  completed: ['complete', 'completed'], accepted: ['accept', 'awaiting-callback'], failed: ['fail', 'failed'], unknown: ['lose-outcome', 'unknown'], 'not-found': ['not-found', 'pending'],
};
const DECIDED: StepState[] = ['completed', 'resolved', 'cancelled', 'compensating', 'compensated', 'compensation-failed'];
const COMPENSATION: StepState[] = ['compensating', 'compensated', 'compensation-failed', 'cancelled'];
const move = (s: StepModel, cmd: StepCommand) => {
  expect(stepAllows(cmd, s.state), `the model moved ${s.state} by ${cmd}`).toBe(true);
  s.state = STEP_TRANSITIONS[cmd].to;
};

/** What the engine must answer, and the model's next state (mutated in place). */
function expected(m: Model, c: Command, orderId: string): number {
  const s = c.kind === 'cancel' ? undefined : m.steps[c.step]!;
  switch (c.kind) {
    case 'begin': {
      if (m.order === 'cancelling' || m.order === 'cancelled') return 200;
      if (m.order !== 'planned' && m.order !== 'in-progress') return 409;
      if (s!.state === 'pending') {
        const deps = c.step === 'L1.install-line' ? ['L1.reserve-access'] : [];
        if (deps.some((d) => !DONE.includes(m.steps[d]!.state))) return 409;
        move(s!, 'begin');
        s!.attempt += 1;
        s!.key = `${orderId}:${c.step}:${s!.attempt}`;
        return 200;
      }
      return ['in-progress', 'unknown', 'awaiting-callback', 'completed', 'resolved'].includes(s!.state) ? 200 : 409;
    }
    case 'outcome': {
      if (!c.currentKey || s!.key === null) return 409;
      const [cmd, target] = OUTCOME[c.outcome]!;
      if (s!.state === target) return 200;
      if (DECIDED.includes(s!.state) || (s!.state === 'failed' && c.outcome !== 'completed')) return 200;
      if (!stepAllows(cmd, s!.state)) return 409;
      move(s!, cmd);
      return 200;
    }
    case 'callback': {
      const seen = `${c.ref}|${c.outcome}`;
      if (m.seenCallbacks.has(seen)) return 200;
      if (s!.key === null) { m.seenCallbacks.add(seen); return 200; } // unmatched
      if (COMPENSATION.includes(s!.state)) { m.seenCallbacks.add(seen); return 200; }
      if (['completed', 'resolved', 'failed', 'pending'].includes(s!.state)) {
        if (c.outcome === 'completed' && s!.state !== 'failed' && s!.state !== 'pending') return 200; // duplicate of a known fact
        m.seenCallbacks.add(seen);
        return 200;
      }
      m.seenCallbacks.add(seen);
      move(s!, c.outcome === 'completed' ? 'complete' : 'fail');
      return 200;
    }
    case 'cancel': {
      if (!ORDER_TRANSITIONS.cancel.from.includes(m.order)) return 409;
      const all = Object.values(m.steps);
      const acted = all.some((x) => MAY_HAVE_ACTED.includes(x.state));
      for (const x of all) if (x.state === 'pending' || x.state === 'failed') move(x, 'cancel');
      m.order = acted ? 'cancelling' : 'cancelled';
      return 200;
    }
    case 'begin-compensation': {
      if (m.order !== 'cancelling') return 409;
      if (['compensating', 'compensated', 'cancelled'].includes(s!.state)) return 200;
      if (s!.state === 'pending' || s!.state === 'failed') { move(s!, 'cancel'); return 200; }
      move(s!, 'begin-compensation');
      return 200;
    }
    case 'record-compensation': {
      const cmd: StepCommand = c.outcome === 'failed' ? 'compensation-failed' : 'compensated';
      if (s!.state === STEP_TRANSITIONS[cmd].to) return 200;
      if (!stepAllows(cmd, s!.state)) return 409;
      move(s!, cmd);
      return 200;
    }
  }
}

describe('O3: generated sequences of commands against the transition tables (HTTP, real PostgreSQL and Camunda)', () => {
  let f: OrderFixture;
  beforeAll(async () => {
    f = await createOrderFixture('order_sequences');
  });
  afterAll(async () => {
    await f?.close();
  });

  const send = (orderId: string, m: Model, c: Command): Promise<Reply> => {
    const step = c.kind === 'cancel' ? '' : c.step;
    const base = `/orders/${orderId}`;
    switch (c.kind) {
      case 'begin': return f.call('ian', 'POST', `${base}/steps/${step}/commands/begin`);
      case 'outcome': return f.call('ian', 'POST', `${base}/steps/${step}/commands/record-outcome`, {
        requestKey: c.currentKey ? (m.steps[step]!.key ?? 'none') : 'stale-key', outcome: c.outcome, externalReference: `ref-${step}`,
      });
      case 'callback': return f.call('ian', 'POST', `${base}/commands/record-fulfillment-callback`, {
        // External references are a target system's: unique per tenant, so per order here.
        externalReference: `${orderId}-${c.ref}`, requestKey: m.steps[step]!.key ?? 'never-sent', outcome: c.outcome,
      });
      case 'cancel': return f.call('rita', 'POST', `${base}/commands/request-cancellation`, { reason: 'generated' });
      case 'begin-compensation': return f.call('ian', 'POST', `${base}/steps/${step}/commands/begin-compensation`);
      case 'record-compensation': return f.call('ian', 'POST', `${base}/steps/${step}/commands/record-compensation`, { outcome: c.outcome });
    }
  };

  it('every answer is the model\'s, every reported change is a row of the tables, and the end state is the model\'s', async () => {
    const stepPairs = new Set(transitionPairs(STEP_TRANSITIONS).map(([a, b]) => `${a}>${b}`));
    await fc.assert(fc.asyncProperty(fc.array(command, { minLength: 1, maxLength: 16 }), async (commands) => {
      const orderId = await f.createOrder(await f.acceptedQuote());
      const model: Model = {
        order: 'in-progress', seenCallbacks: new Set(),
        steps: Object.fromEntries(STEPS.map((k) => [k, { state: 'pending' as StepState, attempt: 0, key: null, ref: null }])),
      };
      expect((await f.call('rita', 'GET', `/orders/${orderId}`)).body.state).toBe('in-progress');
      for (const c of commands) {
        const before = JSON.stringify(model.steps);
        const status = expected(model, c, orderId);
        const reply = await send(orderId, model, c);
        expect(reply.status, `${JSON.stringify(c)} from ${before} answered ${JSON.stringify(reply.body)}`).toBe(status);
      }
      const plan = (await f.call('rita', 'GET', `/orders/${orderId}/fulfillment-plan`)).body;
      for (const k of STEPS) expect(plan.steps.find((s: { stepKey: string }) => s.stepKey === k).state, k).toBe(model.steps[k]!.state);
      expect((await f.call('rita', 'GET', `/orders/${orderId}`)).body.state).toBe(model.order);
      const changes = await f.t.infrastructure.prisma.outboxEvent.findMany({ where: { aggregateId: orderId, eventType: 'OrderStepStateChanged' } });
      for (const e of changes) {
        const { from, to } = e.payload as { from: string; to: string };
        if (from !== to) expect(stepPairs.has(`${from}>${to}`), `${from} -> ${to}`).toBe(true);
      }
    }), { numRuns: 25, endOnFailure: true });
  }, 600_000);
});
