// kafkajs 2.2.4's request queue (src/network/requestQueue/index.js) schedules its pending-request
// check at `throttledUntil - Date.now()`, and `throttledUntil` starts at -1: with nothing pending
// and no throttle the delay is minus the clock (-1.8e12 ms). Node clamps it to 1 ms and the check
// reschedules itself, so every idle broker connection ran a 1 ms timer loop (~650 wake-ups/s;
// measured 2026-12-04: ~110 ms of CPU per 3 s of an idle producer), and Node 24 prints a
// `TimeoutNegativeWarning` for it once per process (engine, relay, projector, create-topics).
// Upstream: tulios/kafkajs#1751 (open; kafkajs has had no release since February 2023), fixes
// proposed in #1755 and #1768; this is the variant suggested in #1768's review: schedule nothing
// when there is nothing to check and no throttle to wait out. Every other case is kafkajs's own
// code: a pending request still gets its check (at the throttle's end or 10 ms), and pushing a
// request, a response and the end of a throttle schedule again as before.
// Remove this file when kafkajs ships a fix; it throws at import if a kafkajs upgrade drops the method it guards.
import { createRequire } from 'node:module';

type RequestQueue = { pending: unknown[]; throttledUntil: number; throttleCheckTimeoutId: unknown; scheduleCheckPendingRequests(): void };
type RequestQueueClass = { prototype: RequestQueue & { scheduleCheckPendingRequests: { idleGuard?: true } & (() => void) } };

const require = createRequire(import.meta.url);
const queue = require('kafkajs/src/network/requestQueue/index.js') as RequestQueueClass;

/** Applies the guard once; throws if kafkajs's request queue is no longer the shape it guards (a kafkajs upgrade). */
export function guardIdleRequestQueue(): void {
  const proto = queue.prototype;
  const original = proto.scheduleCheckPendingRequests;
  if (typeof original !== 'function') throw new Error('kafkajs RequestQueue.scheduleCheckPendingRequests is gone: review connectors/src/kafka/kafkajs-request-queue.patch.ts');
  if (original.idleGuard) return;
  const guarded = function scheduleCheckPendingRequests(this: RequestQueue) {
    if (!this.throttleCheckTimeoutId && this.pending.length === 0 && this.throttledUntil <= Date.now()) return;
    original.call(this);
  };
  proto.scheduleCheckPendingRequests = Object.assign(guarded, { idleGuard: true as const });
}

guardIdleRequestQueue();
