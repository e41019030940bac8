import type { OrderTimeline } from '@/lib/order-api';
import { eventWords } from '@/components/format';

export type OrderTimelineEntry = OrderTimeline['entries'][number];

/** A step by its key, with its name in the plan where the page has it: "L1.install-line (Install the line)". */
export type StepNames = Record<string, string | null | undefined>;

// Each event's details are its payload (engine/src/modules/order/order.repository.ts finishOrder; contracts/asyncapi/cpq-events.yaml).
type Details = Record<string, unknown>;
const text = (d: Details, key: string): string | undefined => (typeof d[key] === 'string' && d[key] !== '' ? (d[key] as string) : undefined);
const count = (n: unknown, one: string, many = `${one}s`) => `${String(n)} ${n === 1 ? one : many}`;
const list = (v: unknown): string[] => (Array.isArray(v) ? v.filter((x): x is string => typeof x === 'string') : []);

/** A step state as ops read it: "awaiting-callback" -> "awaiting callback". */
export const stateWords = (state: unknown) => String(state).replace(/-/g, ' ');

function stepOf(key: unknown, steps: StepNames): string {
  if (typeof key !== 'string' || key === '') return 'the order';
  const name = steps[key];
  return name ? `${key} (${name})` : key;
}

/**
 * One entry of an order's timeline in words, naming what it is about: which step moved from
 * which state to which ("L1.install-line (Install the line): in progress → awaiting callback"),
 * which callback came and what was done with it, what a plan, a cancellation, a fallout case or
 * an installed-base change comprised. An event this does not know reads as its type in words.
 */
export function orderEventText(entry: Pick<OrderTimelineEntry, 'action' | 'details'>, steps: StepNames = {}): string {
  const d = (entry.details ?? {}) as Details;
  const type = entry.action.replace(/^order\./, '');
  switch (type) {
    case 'OrderCreated': {
      const basis = text(d, 'basis');
      return `Created from quote revision ${String(d.quoteRevision)}: ${count(d.lines, 'line')}${basis ? `, a ${basis} of the installed base` : ''}${d.source === 'event' ? ' (from the QuoteAccepted event)' : ''}`;
    }
    case 'OrderPlanned':
      return `Planned: plan v${String(d.planVersion)}, ${count(d.steps, 'step')} in ${count(d.waves, 'wave')}`;
    case 'OrderFulfillmentStarted':
      return `Fulfillment started: process instance ${String(d.processInstanceId)}`;
    case 'OrderStepStateChanged': {
      const moved = d.from === d.to ? `stays ${stateWords(d.to)}` : `${stateWords(d.from)} → ${stateWords(d.to)}`;
      const extra = [typeof d.attempt === 'number' && d.attempt > 1 ? `attempt ${d.attempt}` : '', text(d, 'externalReference') ? `reference ${text(d, 'externalReference')!}` : '']
        .filter(Boolean).join(', ');
      return `${stepOf(d.stepKey, steps)}: ${moved}${extra ? ` (${extra})` : ''}`;
    }
    case 'FulfillmentCallbackRecorded': {
      const at = d.stepKey ? `for ${stepOf(d.stepKey, steps)}` : 'matching no step';
      return `Callback ${at}: ${String(d.outcome)}, ${stateWords(d.disposition)} (reference ${String(d.externalReference)})`;
    }
    case 'OrderCancellationRequested': {
      const steps_ = list(d.compensation).map((k) => stepOf(k, steps));
      return `Cancellation requested (${steps_.length ? `compensate ${steps_.join(', ')}, in that order` : 'nothing to compensate'})`;
    }
    case 'OrderCancelled': {
      const done = list(d.compensated).map((k) => stepOf(k, steps));
      return `Cancelled${done.length ? ` (compensated ${done.join(', ')})` : ''}`;
    }
    case 'OrderFulfilled':
      return `Fulfilled: every step of plan v${String(d.planVersion)} done`;
    case 'FalloutCaseOpened':
      return `Fallout case opened at ${stepOf(d.stepKey, steps)}: ${String(d.category)} from ${stateWords(d.source)}; allows ${list(d.allowedActions).join(', ')}`;
    case 'FalloutCaseResolved':
      return `Fallout case resolved: ${String(d.action)}`;
    case 'InstalledBaseChanged': {
      const changes = Array.isArray(d.changes) ? (d.changes as Details[]) : [];
      const each = changes.map((c) => `${String(c.lineId)} ${String(c.action)} asset ${String(c.assetId).slice(0, 8)}${typeof c.version === 'number' ? ` (version ${c.version})` : ''}`);
      return `Installed base changed: ${each.length ? each.join('; ') : 'nothing'}`;
    }
    default:
      return eventWords(entry.action);
  }
}

/**
 * The reason to show after the entry: the audit's, else one the event carries (a late callback's
 * step change records its reason in the event only). A fallout case's reason is the audit's.
 */
export function orderEventReason(entry: Pick<OrderTimelineEntry, 'reason' | 'details'>): string | null {
  return entry.reason ?? text((entry.details ?? {}) as Details, 'reason') ?? null;
}
