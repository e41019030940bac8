import { createServer, request as httpRequest, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

/**
 * A real HTTP proxy for tests that forwards to a real service (e.g. Camunda's REST API) and
 * can be switched at run time to fail the way a dependency fails in production. Point the
 * client under test at `proxy.url` (the target's path prefix is kept: a target of
 * `http://127.0.0.1:8080/engine-rest` gives `http://127.0.0.1:<port>/engine-rest`).
 *
 *   const proxy = await startFlakyProxy('http://127.0.0.1:8080/engine-rest');
 *   proxy.set({ kind: 'refuse' });                       // connections refused (port closed)
 *   proxy.set({ kind: 'status', status: 503 });          // every request answered 503
 *   proxy.set({ kind: 'delay', ms: 5_000 });             // held 5 s, then forwarded (if the client still waits)
 *   proxy.set({ kind: 'delay', ms: 5_000, forward: 'first' }); // forwarded at once, the answer held 5 s
 *   proxy.set({ kind: 'delay', ms: 2_000, forward: 'late' });  // held 2 s, then forwarded even if the client gave up
 *   proxy.set({ kind: 'status', status: 503 }, { method: 'POST', path: /\/deployment\/create$/ }); // only these
 *   proxy.set({ kind: 'pass' });                         // back to normal (also reopens a refused port)
 *   proxy.requests                                       // what arrived and what was done with it
 *   await proxy.stop();
 *
 * `delay` with `forward: 'after'` (the default) is a slow network: if the client gives up
 * first, the request never reaches the target. `forward: 'first'` is a slow answer: the target
 * did the work but the client never learns it (the unknown-outcome case). `forward: 'late'` is a
 * request held in a queue: the client gives up, and the target still does the work afterwards.
 */
export type ProxyBehaviour =
  | { kind: 'pass' }
  | { kind: 'refuse' }
  | { kind: 'status'; status: number; body?: string }
  | { kind: 'delay'; ms: number; forward?: 'after' | 'first' | 'late' }
  /** Accepts the request, then closes the connection without an answer. */
  | { kind: 'reset' };

/** Which requests a behaviour applies to; others pass. Ignored by `refuse` (a port is closed or not). */
export type ProxyMatch = { method?: string; path?: RegExp };

export type ProxiedRequest = { at: number; method: string; path: string; outcome: 'forwarded' | 'status' | 'delayed' | 'reset' | 'abandoned' };

export type FlakyProxy = {
  url: string;
  port: number;
  requests: ProxiedRequest[];
  set(behaviour: ProxyBehaviour, match?: ProxyMatch): Promise<void>;
  stop(): Promise<void>;
};

export async function startFlakyProxy(target: string): Promise<FlakyProxy> {
  const upstream = new URL(target);
  const prefix = upstream.pathname.replace(/\/$/, '');
  const requests: ProxiedRequest[] = [];
  const sockets = new Set<Socket>();
  const timers = new Set<NodeJS.Timeout>();
  let behaviour: ProxyBehaviour = { kind: 'pass' };
  let match: ProxyMatch | undefined;
  let listening = false;

  const later = (ms: number, fn: () => void) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      fn();
    }, ms);
    timers.add(timer);
  };

  /** Forwards the request; calls `answer` with the upstream response, buffered. */
  function forward(req: IncomingMessage, body: Buffer, answer: (status: number, headers: Record<string, string>, body: Buffer) => void, fail: (e: Error) => void) {
    const headers = { ...req.headers, host: upstream.host };
    const out = httpRequest({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const kept: Record<string, string> = {};
        for (const [k, v] of Object.entries(res.headers)) if (v !== undefined && k !== 'transfer-encoding' && k !== 'connection') kept[k] = Array.isArray(v) ? v.join(', ') : v;
        answer(res.statusCode ?? 502, kept, Buffer.concat(chunks));
      });
      res.on('error', fail);
    });
    out.on('error', fail);
    out.end(body);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const record: ProxiedRequest = { at: Date.now(), method: req.method ?? '', path: req.url ?? '', outcome: 'forwarded' };
    requests.push(record);
    const send = (status: number, headers: Record<string, string>, payload: Buffer | string) => {
      if (res.destroyed || res.writableEnded) return;
      res.writeHead(status, { ...headers, 'content-length': String(Buffer.byteLength(payload)) });
      res.end(payload);
    };
    const failed = (e: Error) => send(502, { 'content-type': 'text/plain' }, `flaky-proxy: upstream failed: ${e.message}`);
    const applies = !match || ((!match.method || match.method === req.method) && (!match.path || match.path.test(record.path)));
    const b: ProxyBehaviour = applies ? behaviour : { kind: 'pass' };

    switch (b.kind) {
      case 'pass':
      case 'refuse': // a request on a connection opened before the port closed
        return forward(req, body, send, failed);
      case 'status':
        record.outcome = 'status';
        return send(b.status, { 'content-type': 'application/json' }, b.body ?? JSON.stringify({ type: 'ProxyError', message: `flaky-proxy answered ${b.status}` }));
      case 'reset':
        record.outcome = 'reset';
        res.socket?.destroy();
        return;
      case 'delay':
        record.outcome = 'delayed';
        if (b.forward === 'first') {
          return forward(req, body, (s, h, p) => later(b.ms, () => send(s, h, p)), failed);
        }
        return later(b.ms, () => {
          if (b.forward !== 'late' && (res.destroyed || req.socket.destroyed)) {
            record.outcome = 'abandoned';
            return;
          }
          forward(req, body, send, failed);
        });
      default: {
        const unknown: never = b;
        throw new Error(`unknown behaviour ${JSON.stringify(unknown)}`);
      }
    }
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((e: Error) => {
      if (!res.headersSent) res.writeHead(500).end(e.message);
    });
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, '127.0.0.1', () => {
      server.off('error', reject);
      listening = true;
      resolve();
    });
  });
  const close = () => new Promise<void>((resolve) => {
    if (!listening) return resolve();
    listening = false;
    for (const socket of sockets) socket.destroy(); // pooled keep-alive connections too
    server.close(() => resolve());
  });

  await listen(0);
  const { port } = server.address() as AddressInfo;

  return {
    url: `http://127.0.0.1:${port}${prefix}`,
    port,
    requests,
    async set(next, when) {
      behaviour = next;
      match = when;
      if (next.kind === 'refuse') await close();
      else if (!listening) await listen(port);
    },
    async stop() {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      await close();
    },
  };
}
