import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { FastifyInstance } from 'fastify';
import { issueToken, type AuthSettings } from './auth';
import { contractRoutes } from './contract-routes';
import { DomainError } from './errors';
import { authenticateClient, mayActFor, type ServiceClient } from './service-clients';

export type AuthTokenRoutesOptions = {
  contract: OpenApiDocument;
  auth: AuthSettings;
  clients: readonly ServiceClient[];
  ttlSeconds: number;
};

/**
 * POST /auth/token: client credentials for service principals (the workers). The engine is the
 * issuer, so workers hold only their own id and secret, never a signing key. The route runs in
 * its own plugin so the form-encoded body OAuth clients send (RFC 6749) is accepted here only;
 * the rest of the API stays JSON.
 */
export async function authTokenRoutes(app: FastifyInstance, options: AuthTokenRoutesOptions): Promise<void> {
  app.addContentTypeParser('application/x-www-form-urlencoded', { parseAs: 'string' }, (_request, body, done) => {
    const text = typeof body === 'string' ? body : body.toString('utf8');
    done(null, Object.fromEntries(new URLSearchParams(text)));
  });

  contractRoutes(app, options.contract)('issueServiceToken', async (request, reply) => {
    const { client_id: clientId, client_secret: secret, tenant } = request.body;
    const client = authenticateClient(options.clients, clientId, secret);
    if (!client) {
      // One answer for an unknown client and a wrong secret: no hint which ids exist.
      request.log.warn({ clientId }, 'service token refused: bad client credentials');
      throw new DomainError('unauthenticated', 'the client id and secret do not match a service client', [
        { field: 'body/client_secret', rule: 'client-credentials', message: 'does not match the client id' },
      ]);
    }
    if (!mayActFor(client, tenant)) {
      request.log.warn({ clientId, tenant }, 'service token refused: tenant not allowed');
      throw new DomainError('forbidden', `the client "${clientId}" may not act for this tenant`, [
        { field: 'body/tenant', rule: 'allowed-tenants', message: 'is not one of the client\'s tenants' },
      ]);
    }
    const accessToken = await issueToken(options.auth, { userId: `service:${clientId}`, tenantId: tenant, roles: client.roles }, options.ttlSeconds);
    request.log.info({ clientId, tenant }, 'service token issued');
    return reply
      .header('cache-control', 'no-store')
      .header('pragma', 'no-cache')
      .send({ access_token: accessToken, token_type: 'Bearer', expires_in: options.ttlSeconds });
  });
}
