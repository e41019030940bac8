import type { OperationId, ResponseOf, RouteOf, SuccessStatusOf } from '@cpq/contracts/api-types';
import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { Prisma, PrismaClient } from '@cpq/prisma';
import type { RawTx } from '../lib/sql-transaction';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import type { Principal } from './auth';
import { routeSchema } from './contract-routes';
import { idempotencyKeyOf, runIdempotent, runIdempotentOptimistic, type Answer, type Read } from './idempotency';
import { expectedVersion, principalOf } from './principal';

/** What every command receives besides its input, whoever calls it. */
export type CommandMeta = {
  correlationId: string;
  /** The command's Idempotency-Key: the causationId of the events it writes. */
  commandId: string;
  /** The version in If-Match, when sent (the route decides whether it is required). */
  expectedVersion?: number;
  /** Stores the command's answer for its Idempotency-Key in the command's own transaction. */
  complete: (tx: RawTx, result: unknown) => Promise<void>;
  /** The same as a statement for the command's own last statement (`finish`): one round trip less. */
  answer: (result: unknown) => Prisma.Sql;
  /**
   * A read of raw SQL on the pool. Where the route sets `claimWithFirstRead`, the command's first
   * read also claims the Idempotency-Key (one statement), and must come before any change.
   */
  read: Read;
};
export type CommandContext = CommandMeta & { principal: Principal };

/** Who the Idempotency-Key belongs to (seed section 8: tenant, client, operation, key). */
export type CommandCaller<Extra> = { tenantId: string; clientId: string; context: Extra };

export type CommandRun<Op extends OperationId, Ctx> = (request: FastifyRequest<RouteOf<Op>>, ctx: Ctx) => Promise<ResponseOf<Op>>;
export type CommandOptions<Op extends OperationId> = {
  /** Response headers derived from the answer, so a replay sends them too (e.g. ETag). */
  headers?: (body: ResponseOf<Op>) => Record<string, string>;
  /**
   * The command's whole effect is one database transaction that stores its answer (no remote
   * call before or after it): the key is not claimed beforehand, the answer is inserted with the
   * effect, and a concurrent duplicate waits for it (`runIdempotentOptimistic`).
   */
  singleTransaction?: boolean;
  /**
   * The command reads before it changes anything, and makes that first read through `ctx.read`:
   * the key's claim goes with it, not in a statement of its own (`runIdempotent`'s option).
   */
  claimWithFirstRead?: boolean;
};

const authenticatedCaller = (request: FastifyRequest): CommandCaller<{ principal: Principal }> => {
  const principal = principalOf(request);
  return { tenantId: principal.tenantId, clientId: principal.userId, context: { principal } };
};

/**
 * Registers a mutating operation of the contract as an idempotent command: its Idempotency-Key
 * (428 when missing) scopes (tenant, client, operation, key); the command stores its answer in
 * its own transaction through `ctx.complete` (or runIdempotent stores it right after); a replay
 * sends the stored answer with `idempotent-replayed: true`, and runs nothing.
 */
export function commandRoutes<Extra = { principal: Principal }>(
  app: FastifyInstance,
  contract: OpenApiDocument,
  prisma: PrismaClient,
  callerOf: (request: FastifyRequest) => CommandCaller<Extra> = authenticatedCaller as unknown as (request: FastifyRequest) => CommandCaller<Extra>,
) {
  return function command<Op extends OperationId>(operation: Op, status: SuccessStatusOf<Op>, run: CommandRun<Op, CommandMeta & Extra>, options: CommandOptions<Op> = {}): void {
    const code = Number(status);
    app.route<RouteOf<Op>>({
      ...routeSchema(contract, operation),
      handler: async (request: FastifyRequest<RouteOf<Op>>, reply: FastifyReply<RouteOf<Op>>) => {
        const caller = callerOf(request);
        const key = idempotencyKeyOf(request.headers);
        const version = expectedVersion(request, false);
        const scope = { tenantId: caller.tenantId, clientId: caller.clientId, operation, key };
        const input = { params: request.params ?? null, body: request.body ?? null, ifMatch: version ?? null };
        const execute = async (answer: Answer) => ({
          status: code,
          body: await run(request, {
            ...caller.context, correlationId: String(request.id), commandId: key,
            ...(version !== undefined ? { expectedVersion: version } : {}),
            // No body (204) is stored as SQL NULL: Prisma refuses a JSON null.
            complete: (tx, body) => answer.complete(tx, { status: code, body: body ?? undefined }),
            answer: (body) => answer.statement({ status: code, body: body ?? undefined }),
            read: answer.read,
          }),
        });
        const result = options.singleTransaction
          ? await runIdempotentOptimistic(prisma, scope, input, execute)
          : await runIdempotent(prisma, scope, input, execute, { claimWithFirstRead: options.claimWithFirstRead === true });
        if (result.replayed) reply.header('idempotent-replayed', 'true');
        if (result.status >= 400) {
          // A replayed refusal reads like a live one (error-handler.ts): this request's instance and correlation id.
          const problem = { ...(result.body as object), instance: request.url, correlationId: String(request.id) };
          return reply.status(result.status).type('application/problem+json').send(problem);
        }
        if (options.headers) reply.headers(options.headers(result.body as ResponseOf<Op>));
        // 204 has no body; a stored null stays null.
        return result.status === 204 ? reply.status(204).send() : reply.status(result.status).send(result.body);
      },
    });
  };
}
