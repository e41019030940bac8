import { context, propagation, type Context } from '@opentelemetry/api';

// Trace context as data, with the OpenTelemetry API only (no SDK): what writers and the relay need
// whether or not tracing is on. With tracing off the API's no-op propagator injects nothing, so
// this costs a function call and an empty object.

/** The header the outbox relay sets to an event's own publish span (tracing.ts keeps it as `traceparent`). */
export const EVENT_TRACEPARENT_HEADER = 'cpq-traceparent';

/** The W3C traceparent of a context (the active one by default), or null when nothing is traced. */
export function traceparentOf(ctx: Context = context.active()): string | null {
  const carrier: Record<string, string> = {};
  propagation.inject(ctx, carrier);
  return carrier.traceparent ?? null;
}

/** The context a stored traceparent names (the active context when there is none). */
export function contextOfTraceparent(traceparent: string | null | undefined): Context {
  return traceparent ? propagation.extract(context.active(), { traceparent }) : context.active();
}
