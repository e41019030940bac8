/**
 * The order and step lifecycles as tables (O3): every command names the states it may start from
 * and the state it leaves. The same pairs are rows of `order_state_transition` and
 * `order_step_transition` (migration 20261203160000_orders), whose triggers refuse any other
 * UPDATE of a state, so SQL written around the code cannot skip a step either;
 * order-guards.int.test.ts checks the two agree.
 */
export const ORDER_STATES = ['created', 'planned', 'in-progress', 'fulfilled', 'cancelling', 'cancelled'] as const;
export type OrderState = (typeof ORDER_STATES)[number];

export const STEP_STATES = [
  'pending', 'in-progress', 'awaiting-callback', 'unknown', 'completed', 'failed', 'resolved', 'cancelled',
  'compensating', 'compensated', 'compensation-failed',
] as const;
export type StepState = (typeof STEP_STATES)[number];

export type OrderCommand = 'plan' | 'start-fulfillment' | 'complete-fulfillment' | 'cancel' | 'request-compensation' | 'finish-cancellation';

type Transition<S> = { from: readonly S[]; to: S };

export const ORDER_TRANSITIONS: Record<OrderCommand, Transition<OrderState>> = {
  plan: { from: ['created'], to: 'planned' },
  'start-fulfillment': { from: ['planned'], to: 'in-progress' },
  'complete-fulfillment': { from: ['in-progress'], to: 'fulfilled' },
  // Nothing acted yet: the order simply cancels (O5).
  cancel: { from: ['created', 'planned', 'in-progress'], to: 'cancelled' },
  // Something may have acted: compensation first, in reverse order.
  'request-compensation': { from: ['in-progress'], to: 'cancelling' },
  'finish-cancellation': { from: ['cancelling'], to: 'cancelled' },
};

export type StepCommand =
  | 'begin' | 'complete' | 'accept' | 'fail' | 'lose-outcome' | 'not-found' | 'retry' | 'resolve' | 'cancel'
  | 'begin-compensation' | 'compensated' | 'compensation-failed' | 'resolve-compensation';

export const STEP_TRANSITIONS: Record<StepCommand, Transition<StepState>> = {
  // A compensated step of an order still being fulfilled was undone by an operator's choice
  // (resolve-fallout compensate): it starts again from a clean state, with a new attempt.
  begin: { from: ['pending', 'compensated'], to: 'in-progress' },
  // What the target system answered (or a callback said); an unknown outcome is decided only by
  // the target system's answer (O4): completed, accepted, failed, or not found (send again).
  complete: { from: ['in-progress', 'unknown', 'awaiting-callback'], to: 'completed' },
  accept: { from: ['in-progress', 'unknown'], to: 'awaiting-callback' },
  fail: { from: ['in-progress', 'unknown', 'awaiting-callback'], to: 'failed' },
  'lose-outcome': { from: ['in-progress'], to: 'unknown' },
  'not-found': { from: ['in-progress', 'unknown'], to: 'pending' },
  // Operators (fallout): run it again, or record that it was done by hand.
  retry: { from: ['failed'], to: 'pending' },
  resolve: { from: ['failed', 'unknown', 'awaiting-callback', 'in-progress'], to: 'resolved' },
  // Steps that never acted when the order is cancelled.
  cancel: { from: ['pending', 'failed'], to: 'cancelled' },
  // Steps that may have acted are reversed at their target system (by our request key); a failed
  // step only when an operator chooses to (its target may hold part of the work: ADR 0016 addendum).
  'begin-compensation': { from: ['completed', 'resolved', 'in-progress', 'awaiting-callback', 'unknown', 'compensation-failed', 'failed'], to: 'compensating' },
  compensated: { from: ['compensating'], to: 'compensated' },
  'compensation-failed': { from: ['compensating'], to: 'compensation-failed' },
  'resolve-compensation': { from: ['compensation-failed'], to: 'compensated' },
};

/** Steps that may have had an effect at a target system: what a cancellation must compensate. */
export const MAY_HAVE_ACTED: readonly StepState[] = ['in-progress', 'awaiting-callback', 'unknown', 'completed', 'resolved'];
/** Steps that count as done for the order to be fulfilled. */
export const DONE: readonly StepState[] = ['completed', 'resolved'];

export const orderAllows = (command: OrderCommand, state: OrderState) => ORDER_TRANSITIONS[command].from.includes(state);
export const stepAllows = (command: StepCommand, state: StepState) => STEP_TRANSITIONS[command].from.includes(state);

/** Every (from, to) pair the tables allow: what the database's transition tables hold. */
export function transitionPairs<S>(table: Record<string, Transition<S>>): [S, S][] {
  const pairs = new Map<string, [S, S]>();
  for (const { from, to } of Object.values(table)) for (const f of from) if (f !== to) pairs.set(`${String(f)}>${String(to)}`, [f, to]);
  return [...pairs.values()].sort((a, b) => `${String(a[0])}>${String(a[1])}`.localeCompare(`${String(b[0])}>${String(b[1])}`));
}
