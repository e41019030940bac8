/**
 * How the fulfillment workers talk to a target system: one adapter per family of system
 * (inventory, provisioning, billing), each shaping the request for its systems, all over the
 * target systems' HTTP API (connectors/src/target-systems: POST /systems/{system}/actions/{action}
 * with our request key as Idempotency-Key, GET .../requests/{key}, POST .../requests/{key}/reverse).
 *
 * Outcomes are told apart by what is known, never guessed (O4):
 * - completed / accepted / refused: the system answered;
 * - unknown: the request was sent and no answer came (timeout, connection dropped): it may or
 *   may not have acted; only asking by the request key decides;
 * - a thrown TargetUnavailable: the system answered 5xx or could not be reached before the
 *   request was sent: it did not act (5xx) or never saw it; retrying with the same key is safe.
 */
export type ExecuteOutcome =
  | { kind: 'completed' | 'accepted'; externalReference: string }
  | { kind: 'refused'; reason: string; externalReference: string | null }
  | { kind: 'unknown'; reason: string };
export type QueryOutcome =
  | { found: true; status: 'completed' | 'accepted' | 'failed' | 'refused' | 'reversed'; externalReference: string; reason: string | null }
  | { found: false };
export type ReverseOutcome = { kind: 'reversed' | 'nothing-to-reverse' } | { kind: 'refused'; reason: string };

export class TargetUnavailable extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'TargetUnavailable';
  }
}

export type StepRequest = {
  tenantId: string;
  orderId: string;
  stepKey: string;
  requestKey: string;
  action: string;
  line: { lineId: string; offering: string; quantity: number; action: string; selections: Record<string, unknown> };
};

export type TargetSystemAdapter = {
  family: 'inventory' | 'provisioning' | 'billing';
  execute(system: string, request: StepRequest, signal?: AbortSignal): Promise<ExecuteOutcome>;
  query(system: string, requestKey: string, signal?: AbortSignal): Promise<QueryOutcome>;
  reverse(system: string, requestKey: string, signal?: AbortSignal): Promise<ReverseOutcome>;
};

export type AdapterOptions = {
  baseUrl: string;
  /** Where the target systems send their callbacks: the engine. */
  callbackUrl: string;
  /** How long a request may take before its outcome counts as unknown, ms. */
  timeoutMs?: number;
};

/** Errors raised before a byte left (the system was not there): the request was never received. */
const NOT_SENT = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'EHOSTUNREACH']);
const causeCode = (error: unknown) => ((error as { cause?: { code?: string } }).cause?.code ?? (error as { code?: string }).code);

function httpAdapter(family: TargetSystemAdapter['family'], shape: (request: StepRequest) => Record<string, unknown>, o: AdapterOptions): TargetSystemAdapter {
  const root = o.baseUrl.replace(/\/$/, '');
  const timeoutMs = o.timeoutMs ?? 5_000;
  const call = async (method: string, path: string, init: { headers?: Record<string, string>; body?: unknown; signal?: AbortSignal } = {}) => {
    const signals = [AbortSignal.timeout(timeoutMs), ...(init.signal ? [init.signal] : [])];
    const response = await fetch(`${root}${path}`, {
      method,
      headers: { ...(init.body !== undefined ? { 'content-type': 'application/json' } : {}), ...init.headers },
      body: init.body !== undefined ? JSON.stringify(init.body) : undefined,
      signal: AbortSignal.any(signals),
    });
    const text = await response.text();
    return { status: response.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
  };
  const path = (system: string, rest: string) => `/systems/${encodeURIComponent(system)}/${rest}`;

  return {
    family,
    async execute(system, request, signal) {
      let answer: Awaited<ReturnType<typeof call>>;
      try {
        answer = await call('POST', path(system, `actions/${encodeURIComponent(request.action)}`), {
          headers: { 'idempotency-key': request.requestKey },
          body: { tenantId: request.tenantId, orderId: request.orderId, stepKey: request.stepKey, callbackUrl: o.callbackUrl, ...shape(request) },
          ...(signal ? { signal } : {}),
        });
      } catch (error) {
        if (NOT_SENT.has(causeCode(error) ?? '')) throw new TargetUnavailable(`${system} is not reachable: ${(error as Error).message}`);
        // Sent, and no answer: it may have acted.
        return { kind: 'unknown', reason: `${system} did not answer ${request.action} (${(error as Error).name}: ${(error as Error).message})` };
      }
      const ref = typeof answer.body.externalReference === 'string' ? answer.body.externalReference : null;
      if (answer.status === 200 && ref) return { kind: 'completed', externalReference: ref };
      if (answer.status === 202 && ref) return { kind: 'accepted', externalReference: ref };
      if (answer.status === 422) return { kind: 'refused', reason: String(answer.body.reason ?? 'refused'), externalReference: ref };
      if (answer.status === 504) return { kind: 'unknown', reason: `${system} answered 504 (gateway timeout): it may have acted` };
      throw new TargetUnavailable(`${system} answered ${answer.status} to ${request.action}: ${JSON.stringify(answer.body)}`);
    },
    async query(system, requestKey, signal) {
      let answer: Awaited<ReturnType<typeof call>>;
      try {
        answer = await call('GET', path(system, `requests/${encodeURIComponent(requestKey)}`), signal ? { signal } : {});
      } catch (error) {
        throw new TargetUnavailable(`${system} did not answer the query for ${requestKey}: ${(error as Error).message}`);
      }
      if (answer.status === 404) return { found: false };
      if (answer.status !== 200) throw new TargetUnavailable(`${system} answered ${answer.status} to the query for ${requestKey}`);
      return {
        found: true, status: answer.body.status as Extract<QueryOutcome, { found: true }>['status'],
        externalReference: String(answer.body.externalReference), reason: (answer.body.reason as string | null) ?? null,
      };
    },
    async reverse(system, requestKey, signal) {
      let answer: Awaited<ReturnType<typeof call>>;
      try {
        answer = await call('POST', path(system, `requests/${encodeURIComponent(requestKey)}/reverse`), signal ? { signal } : {});
      } catch (error) {
        // A reversal is idempotent by the request key: retried until the system answers.
        throw new TargetUnavailable(`${system} did not answer the reversal of ${requestKey}: ${(error as Error).message}`);
      }
      if (answer.status === 404 || answer.body.status === 'nothing-to-reverse') return { kind: 'nothing-to-reverse' };
      if (answer.status === 200) return { kind: 'reversed' };
      if (answer.status === 422) return { kind: 'refused', reason: String(answer.body.reason ?? 'refused') };
      throw new TargetUnavailable(`${system} answered ${answer.status} to the reversal of ${requestKey}`);
    },
  };
}

/** The families and what each sends of an order line (references and characteristics, no prices). */
export function createTargetSystemAdapters(o: AdapterOptions): { adapterFor(targetSystem: string): TargetSystemAdapter } {
  const inventory = httpAdapter('inventory', (r) => ({ resource: { offering: r.line.offering, quantity: r.line.quantity, lineAction: r.line.action } }), o);
  const provisioning = httpAdapter('provisioning', (r) => ({ service: { offering: r.line.offering, lineAction: r.line.action, characteristics: r.line.selections } }), o);
  const billing = httpAdapter('billing', (r) => ({ handoff: { orderId: r.orderId, lineId: r.line.lineId, offering: r.line.offering, quantity: r.line.quantity, lineAction: r.line.action } }), o);
  const families: Record<string, TargetSystemAdapter> = {
    'network-inventory': inventory, 'ip-address-management': inventory, logistics: inventory,
    'field-service': provisioning, 'network-activation': provisioning, 'device-management': provisioning,
    'security-platform': provisioning, 'sd-wan-orchestrator': provisioning,
    billing, crm: billing,
  };
  return {
    adapterFor(targetSystem) {
      const adapter = families[targetSystem];
      if (!adapter) throw new Error(`no adapter for target system ${targetSystem}: add it to connectors/src/fulfillment/target-system.adapter.ts`);
      return adapter;
    },
  };
}
