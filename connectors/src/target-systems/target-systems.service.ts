import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { createEngineClient, type EngineClient } from '../camunda/engine-client';
import type { TargetSystemsConfig } from './target-systems.config';

/**
 * The target systems an order is fulfilled against, simulated by one small HTTP service (issue
 * 11, item 6): inventory (reserve and release resources), provisioning (install, activate,
 * configure; accepted at once and called back later), billing and CRM (the contract and
 * subscription handoff). Every system is idempotent by our request key (the Idempotency-Key of
 * a request): a repeat gets the first answer and acts once. Failure modes are chosen by rules
 * (POST /control/rules), matched by system, action, operation and a part of the request key
 * (tests name their order), or by configuration (latency, a share of 503s):
 *
 * | behaviour         | what the caller sees                                                        |
 * |-------------------|-----------------------------------------------------------------------------|
 * | latencyMs         | the answer after this delay                                                 |
 * | status            | that status (e.g. 503), nothing done                                        |
 * | timeoutMs         | no answer for this long, then 504, nothing done (a timeout without effect)  |
 * | unknownOutcome    | the request is carried out, the connection then dropped unanswered: the     |
 * |                   | caller cannot know; only a query by the request key tells (O4)              |
 * | refuse            | 422 with the reason: a business refusal, nothing done                        |
 * | partial           | with refuse: the system did part of the work before refusing (a resource  |
 * |                   | reserved, a handoff made) and holds it until the request is reversed      |
 * | async             | 202 accepted; the outcome comes as a callback to the engine                  |
 * | callbackOutcome   | the callback reports failed instead of completed                            |
 * | callbackDelayMs   | when the callback is sent                                                    |
 * | duplicateCallback | the callback is sent twice (each with its own Idempotency-Key)              |
 * | wrongReference    | the callback names a request key the order never sent                       |
 * | lateCallback      | a pending callback is still sent after the request was reversed             |
 *
 * State is kept in memory: a restart forgets every request (as a system restored from an old
 * backup would), which the reconciliation by query then sees as "never received".
 */

export type Operation = 'execute' | 'query' | 'reverse';
export type Behaviour = {
  latencyMs?: number;
  status?: number;
  timeoutMs?: number;
  unknownOutcome?: boolean;
  refuse?: string;
  partial?: boolean;
  async?: boolean;
  callbackOutcome?: 'completed' | 'failed';
  callbackDelayMs?: number;
  duplicateCallback?: boolean;
  wrongReference?: boolean;
  lateCallback?: boolean;
};
export type RuleMatch = { system?: string; action?: string; operation?: Operation; keyContains?: string };
export type Rule = { id: string; match: RuleMatch; behaviour: Behaviour; times: number | null; used: number };

/** What a system keeps of a request it received, by request key. */
export type RequestRecord = {
  requestKey: string;
  system: string;
  family: Family;
  action: string;
  status: 'completed' | 'accepted' | 'failed' | 'refused' | 'reversed';
  externalReference: string;
  reason: string | null;
  /** A refusal after part of the work was done (behaviour `partial`): reversing it releases that part. */
  partial: boolean;
  tenantId: string | null;
  orderId: string | null;
  receivedAt: string;
  callbacks: number;
};
export type JournalEntry = { at: string; operation: Operation | 'callback'; system: string; action: string | null; requestKey: string; answered: number | 'dropped'; rule: string | null };

type Family = 'inventory' | 'provisioning' | 'billing';
/** The simulated systems, by the names the decomposition maps use. */
export const SYSTEMS: Record<string, Family> = {
  'network-inventory': 'inventory', 'ip-address-management': 'inventory', logistics: 'inventory',
  'field-service': 'provisioning', 'network-activation': 'provisioning', 'device-management': 'provisioning',
  'security-platform': 'provisioning', 'sd-wan-orchestrator': 'provisioning',
  billing: 'billing', crm: 'billing',
};
const PREFIX: Record<Family, string> = { inventory: 'RSV', provisioning: 'PRV', billing: 'BIL' };

type ExecuteBody = { tenantId?: string; orderId?: string; stepKey?: string; callbackUrl?: string; line?: unknown };

export type TargetSystems = {
  url: string;
  port: number;
  rules: Rule[];
  records: Map<string, RequestRecord>;
  journal: JournalEntry[];
  stop(): Promise<void>;
};

export type TargetSystemsOptions = Pick<TargetSystemsConfig, 'host' | 'port' | 'latencyMs' | 'failureRate' | 'asyncSystems' | 'callbackDelayMs' | 'holdMs' | 'engineUrl' | 'credential'> & {
  log?: { info(o: object, m: string): void; warn(o: object, m: string): void };
};

const JOURNAL_MAX = 20_000;

export async function startTargetSystems(options: TargetSystemsOptions): Promise<TargetSystems> {
  const rules: Rule[] = [];
  const records = new Map<string, RequestRecord>();
  const journal: JournalEntry[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const pendingCallbacks = new Map<string, NodeJS.Timeout>();
  const sockets = new Set<Socket>();
  const engines = new Map<string, EngineClient>();
  const log = options.log;

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
    return timer;
  };
  const sleep = (ms: number) => (ms > 0 ? new Promise<void>((resolve) => later(ms, resolve)) : Promise.resolve());
  const note = (entry: Omit<JournalEntry, 'at'>) => {
    journal.push({ at: new Date().toISOString(), ...entry });
    if (journal.length > JOURNAL_MAX) journal.splice(0, journal.length - JOURNAL_MAX);
  };

  /** The first rule that matches, used once more (rules with a count expire). */
  function ruleFor(operation: Operation, system: string, action: string | null, requestKey: string): Rule | undefined {
    const rule = rules.find((r) => (r.times === null || r.used < r.times)
      && (!r.match.operation || r.match.operation === operation)
      && (!r.match.system || r.match.system === system)
      && (!r.match.action || r.match.action === action)
      && (!r.match.keyContains || requestKey.includes(r.match.keyContains)));
    if (rule) rule.used += 1;
    return rule;
  }

  function engineAt(base: string): EngineClient | undefined {
    if (!options.credential) return undefined;
    let client = engines.get(base);
    if (!client) engines.set(base, (client = createEngineClient(base, options.credential)));
    return client;
  }

  /** Reports the outcome of an accepted request to the engine (record-fulfillment-callback). */
  async function callBack(record: RequestRecord, body: ExecuteBody, behaviour: Behaviour): Promise<void> {
    const engine = engineAt(body.callbackUrl ?? options.engineUrl);
    if (!engine || !record.tenantId || !record.orderId) {
      log?.warn({ requestKey: record.requestKey }, 'no callback sent: no credential, tenant or order');
      return;
    }
    const payload = {
      externalReference: record.externalReference,
      requestKey: behaviour.wrongReference ? `${record.orderId}:not-ours:${randomUUID().slice(0, 8)}` : record.requestKey,
      outcome: record.status === 'failed' ? 'failed' : 'completed',
      ...(record.reason ? { reason: record.reason } : {}),
    };
    for (let n = 0; n < (behaviour.duplicateCallback ? 2 : 1); n += 1) {
      // A fresh key per delivery: a real system resending a callback does not replay the HTTP request.
      const result = await engine.command<unknown>(record.tenantId, `/orders/${record.orderId}/commands/record-fulfillment-callback`, `cb-${randomUUID()}`, payload)
        .catch((error: Error) => ({ status: 0, body: error.message }));
      record.callbacks += 1;
      note({ operation: 'callback', system: record.system, action: record.action, requestKey: record.requestKey, answered: result.status, rule: null });
      if (result.status >= 300) log?.warn({ requestKey: record.requestKey, status: result.status, body: result.body }, 'callback refused by the engine');
    }
  }

  const send = (res: ServerResponse, status: number, body: unknown) => {
    if (res.destroyed || res.writableEnded) return;
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text) });
    res.end(text);
  };

  /** The failure modes that answer before anything is done; true when they answered. */
  async function before(res: ServerResponse, rule: Rule | undefined, entry: Omit<JournalEntry, 'at' | 'answered'>): Promise<boolean> {
    const b = rule?.behaviour ?? {};
    await sleep((b.latencyMs ?? 0) + options.latencyMs);
    if (b.status) {
      note({ ...entry, answered: b.status });
      send(res, b.status, { status: 'error', reason: `simulated ${b.status}` });
      return true;
    }
    if (b.timeoutMs) {
      await sleep(b.timeoutMs);
      note({ ...entry, answered: 504 });
      send(res, 504, { status: 'error', reason: 'simulated timeout' });
      return true;
    }
    if (!rule && options.failureRate > 0 && Math.random() < options.failureRate) {
      note({ ...entry, answered: 503 });
      send(res, 503, { status: 'error', reason: 'simulated outage (TARGET_SYSTEMS_FAILURE_RATE)' });
      return true;
    }
    return false;
  }

  const view = (r: RequestRecord) => ({ requestKey: r.requestKey, system: r.system, action: r.action, status: r.status, externalReference: r.externalReference, reason: r.reason, partial: r.partial });

  async function execute(req: IncomingMessage, res: ServerResponse, system: string, action: string, raw: string): Promise<void> {
    const requestKey = String(req.headers['idempotency-key'] ?? '');
    if (!requestKey) return send(res, 400, { status: 'error', reason: 'send the request key as Idempotency-Key' });
    let body: ExecuteBody;
    try {
      body = raw ? (JSON.parse(raw) as ExecuteBody) : {};
    } catch {
      return send(res, 400, { status: 'error', reason: 'the body is not JSON' });
    }
    const rule = ruleFor('execute', system, action, requestKey);
    const entry = { operation: 'execute' as const, system, action, requestKey, rule: rule?.id ?? null };
    if (await before(res, rule, entry)) return;
    const b = rule?.behaviour ?? {};
    const known = records.get(requestKey);
    if (known) {
      // Idempotent by request key: the first answer again, nothing done twice.
      const status = known.status === 'refused' ? 422 : known.status === 'accepted' ? 202 : 200;
      note({ ...entry, answered: status });
      return send(res, status, view(known));
    }
    const family = SYSTEMS[system]!;
    const record: RequestRecord = {
      requestKey, system, family, action, status: 'completed', externalReference: `${PREFIX[family]}-${randomUUID().slice(0, 12)}`, reason: null, partial: false,
      tenantId: body.tenantId ?? null, orderId: body.orderId ?? null, receivedAt: new Date().toISOString(), callbacks: 0,
    };
    if (b.refuse) {
      record.status = 'refused';
      record.reason = b.refuse;
      record.partial = b.partial === true;
      records.set(requestKey, record);
      note({ ...entry, answered: 422 });
      return send(res, 422, view(record));
    }
    const isAsync = b.async ?? options.asyncSystems.includes(system);
    if (isAsync) {
      record.status = 'accepted';
      const delay = b.callbackDelayMs ?? options.callbackDelayMs;
      pendingCallbacks.set(requestKey, later(delay, () => {
        pendingCallbacks.delete(requestKey);
        if (record.status === 'reversed' && !b.lateCallback) return;
        if (record.status === 'accepted') {
          record.status = b.callbackOutcome === 'failed' ? 'failed' : 'completed';
          if (record.status === 'failed') record.reason = 'simulated failure reported by callback';
        }
        void callBack(record, body, b);
      }));
    }
    records.set(requestKey, record);
    if (b.unknownOutcome) {
      // Carried out, but the answer is lost: hold the connection, then drop it unanswered.
      note({ ...entry, answered: 'dropped' });
      later(options.holdMs, () => res.socket?.destroy());
      return;
    }
    note({ ...entry, answered: isAsync ? 202 : 200 });
    send(res, isAsync ? 202 : 200, view(record));
  }

  async function query(res: ServerResponse, system: string, requestKey: string): Promise<void> {
    const rule = ruleFor('query', system, null, requestKey);
    const entry = { operation: 'query' as const, system, action: null, requestKey, rule: rule?.id ?? null };
    if (await before(res, rule, entry)) return;
    const record = records.get(requestKey);
    note({ ...entry, answered: record && record.system === system ? 200 : 404 });
    if (!record || record.system !== system) return send(res, 404, { status: 'unknown-request', requestKey });
    send(res, 200, view(record));
  }

  async function reverse(res: ServerResponse, system: string, requestKey: string): Promise<void> {
    const rule = ruleFor('reverse', system, null, requestKey);
    const entry = { operation: 'reverse' as const, system, action: null, requestKey, rule: rule?.id ?? null };
    if (await before(res, rule, entry)) return;
    const record = records.get(requestKey);
    if (!record || record.system !== system) {
      note({ ...entry, answered: 404 });
      return send(res, 404, { status: 'unknown-request', requestKey });
    }
    if (rule?.behaviour.refuse) {
      note({ ...entry, answered: 422 });
      return send(res, 422, { ...view(record), reason: rule.behaviour.refuse });
    }
    // A refusal that left part of the work held (partial) has something to release.
    if ((record.status === 'refused' && !record.partial) || record.status === 'failed') {
      note({ ...entry, answered: 200 });
      return send(res, 200, { ...view(record), status: 'nothing-to-reverse' });
    }
    // Released, deprovisioned, handoff withdrawn; a callback still pending is not sent (unless lateCallback).
    record.status = 'reversed';
    if (!rules.some((r) => r.behaviour.lateCallback && (!r.match.keyContains || requestKey.includes(r.match.keyContains)))) {
      const pending = pendingCallbacks.get(requestKey);
      if (pending) clearTimeout(pending);
      pendingCallbacks.delete(requestKey);
    }
    note({ ...entry, answered: 200 });
    send(res, 200, view(record));
  }

  async function control(req: IncomingMessage, res: ServerResponse, path: string, raw: string, search: URLSearchParams): Promise<void> {
    if (req.method === 'POST' && path === '/control/rules') {
      let input: { match?: RuleMatch; behaviour?: Behaviour; times?: number };
      try {
        input = JSON.parse(raw) as typeof input;
      } catch {
        return send(res, 400, { status: 'error', reason: 'the body is not JSON' });
      }
      if (!input.behaviour || typeof input.behaviour !== 'object') return send(res, 400, { status: 'error', reason: 'behaviour is required' });
      const rule: Rule = { id: randomUUID(), match: input.match ?? {}, behaviour: input.behaviour, times: input.times ?? null, used: 0 };
      rules.unshift(rule); // the newest rule wins
      return send(res, 201, rule);
    }
    if (req.method === 'DELETE' && path === '/control/rules') {
      const keyContains = search.get('keyContains');
      for (let i = rules.length - 1; i >= 0; i -= 1) if (!keyContains || rules[i]!.match.keyContains === keyContains) rules.splice(i, 1);
      return send(res, 200, { rules: rules.length });
    }
    if (req.method === 'GET' && path === '/control/requests') {
      const keyContains = search.get('keyContains') ?? '';
      return send(res, 200, {
        journal: journal.filter((e) => e.requestKey.includes(keyContains)),
        records: [...records.values()].filter((r) => r.requestKey.includes(keyContains)),
      });
    }
    send(res, 404, { status: 'error', reason: `no route ${req.method} ${path}` });
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const raw = Buffer.concat(chunks).toString('utf8');
    const url = new URL(req.url ?? '/', 'http://target-systems');
    const path = url.pathname;
    if (path === '/health') return send(res, 200, { status: 'up', systems: Object.keys(SYSTEMS) });
    if (path.startsWith('/control/')) return control(req, res, path, raw, url.searchParams);
    const m = /^\/systems\/([a-z0-9-]+)\/(actions|requests)\/([^/]+)(\/reverse)?$/.exec(path);
    if (!m) return send(res, 404, { status: 'error', reason: `no route ${req.method} ${path}` });
    const [, system, kind, name, rev] = m;
    if (!SYSTEMS[system!]) return send(res, 404, { status: 'unknown-system', system });
    const key = decodeURIComponent(name!);
    if (kind === 'actions' && req.method === 'POST' && !rev) return execute(req, res, system!, key, raw);
    if (kind === 'requests' && req.method === 'GET' && !rev) return query(res, system!, key);
    if (kind === 'requests' && req.method === 'POST' && rev) return reverse(res, system!, key);
    send(res, 405, { status: 'error', reason: `${req.method} not allowed on ${path}` });
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: Error) => send(res, 500, { status: 'error', reason: error.message }));
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port, options.host, () => resolve());
  });
  const { port } = server.address() as AddressInfo;
  log?.info({ port, asyncSystems: options.asyncSystems, latencyMs: options.latencyMs }, 'target systems listening');
  return {
    url: `http://${options.host}:${port}`,
    port, rules, records, journal,
    stop: () => new Promise<void>((resolve) => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      for (const socket of sockets) socket.destroy();
      server.close(() => resolve());
    }),
  };
}
