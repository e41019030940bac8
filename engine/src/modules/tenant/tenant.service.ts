import type { ApiSchema } from '@cpq/contracts/api-types';
import type { Actor } from '@cpq/contracts/event-envelope';
import { Prisma, type PrismaClient } from '@cpq/prisma';
import { DomainError } from '../../http/errors';
import { writeOutboxEvent } from '../outbox';

/** A tenant, as the contract states it (platform-api.yaml Tenant). */
export type TenantView = ApiSchema<'Tenant'>;
export type CommandContext = { actor: Actor; correlationId: string; /** Idempotency-Key or request id: the event's causationId. */ commandId: string };

const view = (row: { id: string; name: string; createdAt: Date }): TenantView => ({
  tenantId: row.id,
  name: row.name,
  createdAt: row.createdAt.toISOString(),
});

export function createTenantService(prisma: PrismaClient) {
  return {
    /** The tenant row and its TenantRegistered event commit together, or neither does. */
    async register(input: { tenantId: string; name: string }, context: CommandContext): Promise<TenantView> {
      try {
        return await prisma.$transaction(async (tx) => {
          const row = await tx.tenant.create({ data: { id: input.tenantId, name: input.name } });
          await writeOutboxEvent(tx, {
            eventType: 'TenantRegistered',
            tenantId: row.id,
            aggregateType: 'TENANT',
            aggregateId: row.id,
            aggregateVersion: 1,
            correlationId: context.correlationId,
            causationId: context.commandId,
            actor: context.actor,
            payload: { tenantId: row.id, name: row.name },
          });
          return view(row);
        });
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
          throw new DomainError('tenant-already-exists', `tenant ${input.tenantId} already exists`, [
            { field: 'body/tenantId', rule: 'unique', message: 'is already taken' },
          ]);
        }
        throw error;
      }
    },

    async get(tenantId: string): Promise<TenantView> {
      const row = await prisma.tenant.findUnique({ where: { id: tenantId } });
      if (!row) throw new DomainError('tenant-not-found', `no tenant ${tenantId}`);
      return view(row);
    },
  };
}

export type TenantService = ReturnType<typeof createTenantService>;
