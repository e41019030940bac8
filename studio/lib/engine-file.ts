import { engineUrl } from './engine-client';
import { sessionToken } from './session';

/**
 * A file the engine serves (the quote PDF), fetched on the studio's server with the session's
 * token and passed to the browser as it came: the token never leaves the server, and the
 * engine's refusal (problem+json) is passed on with its status.
 */
export async function fetchEngineFile(path: string): Promise<Response> {
  const token = await sessionToken();
  if (!token) return Response.json({ title: 'You are not signed in', status: 401 }, { status: 401, headers: { 'content-type': 'application/problem+json' } });
  let upstream: Response;
  try {
    upstream = await fetch(`${engineUrl()}${path}`, { headers: { authorization: `Bearer ${token}` }, cache: 'no-store' });
  } catch (error) {
    return Response.json({ title: 'The engine cannot be reached', status: 503, detail: (error as Error).message }, { status: 503 });
  }
  const headers = new Headers({ 'content-type': upstream.headers.get('content-type') ?? 'application/octet-stream', 'cache-control': 'private, no-store' });
  const etag = upstream.headers.get('etag');
  if (etag) headers.set('etag', etag);
  return new Response(upstream.body, { status: upstream.status, headers });
}
