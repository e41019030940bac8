import { trace } from '@opentelemetry/api';
import type { FastifyInstance } from 'fastify';
import { knownPrincipal } from '../http/principal';

/**
 * Names the HTTP server span after the route (`POST /quotes/:quoteId/lines`, not the raw URL) and
 * gives it the journey's keys (seed section 12): correlation id, tenant, operation, and the quote,
 * order or work item the route names. Registered only when tracing is on; in `onSend`, when the
 * principal and params are known and the span is still open.
 */
export function registerTraceAttributes(app: FastifyInstance, operationOf: (method: string, route: string | undefined) => string): void {
  app.addHook('onSend', (request, _reply, payload, done) => {
    const span = trace.getActiveSpan();
    if (span?.isRecording()) {
      const route = request.routeOptions.url;
      if (route) span.updateName(`${request.method} ${route}`);
      const params = (request.params ?? {}) as Record<string, unknown>;
      span.setAttributes({
        'http.route': route ?? '',
        'cpq.operation': operationOf(request.method, route),
        'cpq.correlation_id': String(request.id),
        ...(knownPrincipal(request) ? { 'cpq.tenant_id': knownPrincipal(request)!.tenantId, 'enduser.id': knownPrincipal(request)!.userId } : {}),
        ...(typeof params.quoteId === 'string' ? { 'cpq.quote_id': params.quoteId } : {}),
        ...(typeof params.orderId === 'string' ? { 'cpq.order_id': params.orderId } : {}),
        ...(typeof params.workItemId === 'string' ? { 'cpq.work_item_id': params.workItemId } : {}),
      });
    }
    done(null, payload);
  });
}
