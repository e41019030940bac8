import { createServer, type IncomingMessage, type Server } from 'node:http';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { createEngineClient, EngineAuthError } from './engine-client';

const SECRET = 'k'.repeat(48);

// A real HTTP server standing in for the engine's token endpoint and one API route.
describe('engine client: service tokens by client credentials', () => {
  let server: Server;
  let url = '';
  let tokenRequests: Record<string, unknown>[] = [];
  let issued = 0;
  let rejectNext = 0;
  let lastAuthorization: string | undefined;

  const readBody = (request: IncomingMessage) => new Promise<string>((resolve) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString()));
    request.on('end', () => resolve(body));
  });

  beforeAll(async () => {
    server = createServer(async (request, response) => {
      const body = await readBody(request);
      response.setHeader('content-type', 'application/json');
      if (request.url === '/auth/token') {
        const form = JSON.parse(body) as Record<string, unknown>;
        tokenRequests.push(form);
        if (form.client_secret !== SECRET) {
          response.statusCode = 401;
          response.end(JSON.stringify({ code: 'unauthenticated', errors: [{ field: 'body/client_secret', rule: 'client-credentials' }] }));
          return;
        }
        issued += 1;
        response.end(JSON.stringify({ access_token: `t${issued}-${String(form.tenant)}`, token_type: 'Bearer', expires_in: 900 }));
        return;
      }
      lastAuthorization = request.headers.authorization;
      if (rejectNext > 0) {
        rejectNext -= 1;
        response.statusCode = 401;
        response.end(JSON.stringify({ code: 'unauthenticated' }));
        return;
      }
      response.end(JSON.stringify({ path: request.url, authorization: request.headers.authorization }));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const address = server.address();
    url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));
  beforeEach(() => {
    tokenRequests = [];
    rejectNext = 0;
  });

  it('asks for one token per tenant with its credential, shares a fetch in flight and reuses the token', async () => {
    const client = createEngineClient(url, { clientId: 'workers', clientSecret: SECRET });
    const [a, b] = await Promise.all([client.get<{ authorization: string }>('acme', '/x'), client.get<{ authorization: string }>('acme', '/y')]);
    expect(a.authorization).toBe(b.authorization);
    await client.get('acme', '/z');
    await client.get('globex', '/z');
    expect(tokenRequests).toEqual([
      { grant_type: 'client_credentials', client_id: 'workers', client_secret: SECRET, tenant: 'acme' },
      { grant_type: 'client_credentials', client_id: 'workers', client_secret: SECRET, tenant: 'globex' },
    ]);
  });

  it('renews the token after 80 % of its life', async () => {
    let now = 1_000_000;
    const client = createEngineClient(url, { clientId: 'workers', clientSecret: SECRET }, { now: () => now });
    const first = await client.get<{ authorization: string }>('acme', '/x');
    now += 700_000; // 700 s of 900: still fresh
    expect((await client.get<{ authorization: string }>('acme', '/x')).authorization).toBe(first.authorization);
    now += 30_000; // 730 s: past 720 s
    expect((await client.get<{ authorization: string }>('acme', '/x')).authorization).not.toBe(first.authorization);
    expect(tokenRequests).toHaveLength(2);
  });

  it('on a 401 from the API fetches a new token once and repeats the call', async () => {
    const client = createEngineClient(url, { clientId: 'workers', clientSecret: SECRET });
    const before = await client.get<{ authorization: string }>('acme', '/x');
    rejectNext = 1;
    const after = await client.command<{ authorization: string }>('acme', '/cmd', 'key-1');
    expect(after.status).toBe(200);
    expect(after.body.authorization).not.toBe(before.authorization);
    rejectNext = 2;
    expect((await client.command('acme', '/cmd', 'key-2')).status).toBe(401);
    expect(lastAuthorization).toMatch(/^Bearer t\d+-acme$/);
  });

  it('a refused credential throws EngineAuthError with the engine\'s problem, never the secret', async () => {
    const wrong = 'w'.repeat(48);
    const client = createEngineClient(url, { clientId: 'workers', clientSecret: wrong });
    const error = await client.get('acme', '/x').catch((e: unknown) => e);
    expect(error).toBeInstanceOf(EngineAuthError);
    expect(error).toMatchObject({ status: 401, problem: { errors: [{ field: 'body/client_secret' }] } });
    expect(String((error as Error).message)).not.toContain(wrong);
  });
});
