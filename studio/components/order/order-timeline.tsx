import type { OrderTimeline } from '@/lib/order-api';
import { when } from '@/components/format';
import { orderEventReason, orderEventText, type StepNames } from './order-events';

/**
 * An order's timeline (GET /orders/{id}/timeline), each entry saying what it was about: the step
 * and its transition, the callback, the fallout case (`order-events.ts`); the event type stays in
 * the title. `steps` names the plan's steps where the page read the plan.
 */
export function OrderTimelineList({ timeline, steps }: { timeline: OrderTimeline; steps?: StepNames }) {
  return (
    <ol className="timeline" data-testid="order-timeline">
      {timeline.entries.map((e, i) => {
        const reason = orderEventReason(e);
        return (
          <li key={i}>
            <span className="muted">{when(e.at)}</span> <strong title={e.action}>{orderEventText(e, steps)}</strong> by {e.actor.id}
            {reason ? <>: “{reason}”</> : null}
          </li>
        );
      })}
    </ol>
  );
}
