import { createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real HTTP webhook receiver for tests (node:http on a free 127.0.0.1 port), behaving like a
 * careful production receiver: it verifies `X-CPQ-Signature` (HMAC-SHA256 of the raw body),
 * deduplicates by `Idempotency-Key` (a repeat is answered 200 again and not recorded twice),
 * and can be scripted to fail, request by request.
 */
export type ScriptedResponse =
  /** 200; records the delivery unless its key was seen (then a duplicate, 200 again). */
  | { kind: 'accept' }
  /** Answers `status` and records nothing (the receiver did not take it). */
  | { kind: 'status'; status: number; body?: string; headers?: Record<string, string> }
  /**
   * Records the delivery (the receiver did act on it), then holds the response for `ms`
   * before answering 200: past the sender's timeout this is the "unknown outcome" case.
   */
  | { kind: 'hang'; ms: number }
  /** Closes the connection without answering and records nothing (a connection error). */
  | { kind: 'reset' }
  /** Accepts like `accept`, after `ms` (a slow receiver). */
  | { kind: 'delay'; ms: number };

export type ReceivedRequest = {
  at: number;
  method: string;
  path: string;
  idempotencyKey: string | null;
  eventId: string | null;
  headers: Record<string, string>;
  body: string;
  signatureValid: boolean;
  /** What the receiver did: an HTTP status it sent, or 'hang' / 'reset'. */
  response: number | 'hang' | 'reset';
  duplicate: boolean;
};

/** One logical delivery: the first request of an Idempotency-Key the receiver accepted. */
export type Delivery = { idempotencyKey: string; eventId: string | null; body: string; json: unknown; times: number };

export type WebhookReceiver = {
  url: string;
  port: number;
  /** Every request, in arrival order, whatever happened to it. */
  requests: ReceivedRequest[];
  /** Logical deliveries, deduplicated by Idempotency-Key, in first-arrival order. */
  deliveries: Delivery[];
  /** Queues responses for the next requests (one each); afterwards the default applies. */
  script(...responses: ScriptedResponse[]): void;
  setDefault(response: ScriptedResponse): void;
  /** Would a receiver holding `secret` accept this signature for these exact bytes? */
  verify(body: string | Buffer, signature: string | undefined | null, secret?: string): boolean;
  stop(): Promise<void>;
};

export function signatureFor(body: string | Buffer, secret: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

export function verifySignature(body: string | Buffer, signature: string | undefined | null, secret: string): boolean {
  if (!signature) return false;
  const expected = Buffer.from(signatureFor(body, secret));
  const actual = Buffer.from(signature);
  return actual.length === expected.length && timingSafeEqual(actual, expected);
}

function headerValue(req: IncomingMessage, name: string): string | null {
  const value = req.headers[name];
  return Array.isArray(value) ? (value[0] ?? null) : (value ?? null);
}

export async function startWebhookReceiver(options: { secret: string; path?: string }): Promise<WebhookReceiver> {
  const path = options.path ?? '/hooks/cpq';
  const requests: ReceivedRequest[] = [];
  const deliveries: Delivery[] = [];
  const byKey = new Map<string, Delivery>();
  const queue: ScriptedResponse[] = [];
  let fallback: ScriptedResponse = { kind: 'accept' };
  const timers = new Set<NodeJS.Timeout>();

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };
  const send = (res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}) => {
    if (res.destroyed || res.writableEnded) return;
    res.writeHead(status, { 'content-type': 'application/json', ...headers });
    res.end(typeof body === 'string' ? body : JSON.stringify(body));
  };

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks);
    const body = raw.toString('utf8');
    const record: ReceivedRequest = {
      at: Date.now(),
      method: req.method ?? '',
      path: req.url ?? '',
      idempotencyKey: headerValue(req, 'idempotency-key'),
      eventId: headerValue(req, 'x-cpq-event-id'),
      headers: Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, Array.isArray(v) ? v.join(', ') : (v ?? '')])),
      body,
      signatureValid: verifySignature(raw, headerValue(req, 'x-cpq-signature'), options.secret),
      response: 0,
      duplicate: false,
    };
    requests.push(record);
    const reply = (status: number, payload: unknown, headers?: Record<string, string>) => {
      record.response = status;
      send(res, status, payload, headers);
    };

    if (req.method !== 'POST' || record.path !== path) return reply(404, { error: 'not found' });
    if (!record.signatureValid) return reply(401, { error: 'invalid signature' });
    if (!record.idempotencyKey) return reply(400, { error: 'Idempotency-Key is required' });

    const accept = () => {
      const key = record.idempotencyKey!;
      const seen = byKey.get(key);
      if (seen) {
        seen.times += 1;
        record.duplicate = true;
        return 'duplicate' as const;
      }
      const delivery: Delivery = { idempotencyKey: key, eventId: record.eventId, body, json: JSON.parse(body), times: 1 };
      byKey.set(key, delivery);
      deliveries.push(delivery);
      return 'recorded' as const;
    };

    const step = queue.shift() ?? fallback;
    switch (step.kind) {
      case 'accept':
        return reply(200, { status: accept() });
      case 'status':
        return reply(step.status, step.body ?? { error: `scripted ${step.status}` }, step.headers);
      case 'delay':
        return later(step.ms, () => reply(200, { status: accept() }));
      case 'hang': {
        const outcome = accept();
        record.response = 'hang';
        return later(step.ms, () => send(res, 200, { status: outcome }));
      }
      case 'reset':
        record.response = 'reset';
        res.socket?.destroy();
        return;
      default: {
        const unknown: never = step;
        throw new Error(`unknown scripted response ${JSON.stringify(unknown)}`);
      }
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => send(res, 500, { error: (error as Error).message }));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${path}`,
    port,
    requests,
    deliveries,
    script: (...responses) => void queue.push(...responses),
    setDefault: (response) => void (fallback = response),
    verify: (body, signature, secret = options.secret) => verifySignature(body, signature, secret),
    stop: () =>
      new Promise<void>((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        timers.clear();
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
