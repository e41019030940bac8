import { randomUUID } from 'node:crypto';
import type { Problem, Result } from './problem';
import { sessionToken } from './session';

/** The engine's base URL, read on the server only. */
export const engineUrl = () => process.env.ENGINE_URL ?? `http://127.0.0.1:${process.env.ENGINE_PORT ?? '4000'}`;

type Call = { body?: unknown; ifMatch?: number; command?: boolean };

/**
 * One call to the engine's REST API with the session's token. Commands (POST) carry a fresh
 * Idempotency-Key per user action, and If-Match when they change a versioned resource. Every
 * refusal comes back as the engine's problem+json, never thrown.
 */
export async function callEngine<T>(method: 'GET' | 'POST', path: string, call: Call = {}): Promise<Result<T>> {
  const token = await sessionToken();
  if (!token) return { ok: false, problem: { title: 'You are not signed in', status: 401 } };
  const headers: Record<string, string> = { authorization: `Bearer ${token}`, accept: 'application/json' };
  if (method === 'POST') headers['idempotency-key'] = randomUUID();
  if (call.body !== undefined) headers['content-type'] = 'application/json';
  if (call.ifMatch !== undefined) headers['if-match'] = `"${call.ifMatch}"`;
  let response: Response;
  try {
    response = await fetch(`${engineUrl()}${path}`, { method, headers, body: call.body === undefined ? undefined : JSON.stringify(call.body), cache: 'no-store' });
  } catch (error) {
    return { ok: false, problem: { title: 'The engine cannot be reached', status: 503, detail: `${engineUrl()}: ${(error as Error).message}` } };
  }
  const text = await response.text();
  const body: unknown = text ? safeJson(text) : undefined;
  if (!response.ok) {
    const problem = (body && typeof body === 'object' && 'title' in body ? body : { title: response.statusText || 'The engine refused', detail: text.slice(0, 500) }) as Problem;
    return { ok: false, problem: { ...problem, status: response.status } };
  }
  return { ok: true, data: body as T, etag: response.headers.get('etag') ?? undefined };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return undefined;
  }
}

/** A read whose failure the page shows as a problem. */
export const getEngine = <T>(path: string) => callEngine<T>('GET', path);
export const problemOf = (result: Result<unknown>): Problem | undefined => (result.ok ? undefined : result.problem);
