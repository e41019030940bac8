import { poolOf, type PrismaClient } from '@cpq/prisma';
import { createSqlTransactionRunner, type InSqlTransaction } from '../../lib/sql-transaction';
import { createTransactionRunner, type InTransaction } from '../../lib/transaction';
import { beginCompensationCommand, completeFulfillmentCommand, finishCancellationCommand, recordCompensationCommand, requestCancellationCommand } from './commands/cancellation.commands';
import { createOrderCommand } from './commands/create-order.command';
import { resolveFalloutCommand } from './commands/resolve-fallout.command';
import { recoverStartsCommand, startFulfillmentCommand } from './commands/start-fulfillment.flow';
import { beginStepCommand, recordCallbackCommand, recordOutcomeCommand } from './commands/step.commands';
import { createOrderReconciler } from './order.reconciler';
import type { CommandContext, OrderDeps } from './order.types';

export type OrderServiceDeps = Omit<OrderDeps, 'inTransaction' | 'inRawTransaction'> & { prisma: PrismaClient; inTransaction?: InTransaction; inRawTransaction?: InSqlTransaction };

/**
 * Orders and their fulfillment: one handler per use case (commands/), composed here. Each does
 * its work on one connection under the order's row lock and reaches Camunda only between
 * transactions (lib/steps.ts, ADR 0013); what an outage leaves is finished by `reconcile`.
 */
export function createOrderService(input: OrderServiceDeps) {
  const deps: OrderDeps = {
    ...input,
    inTransaction: input.inTransaction ?? createTransactionRunner(input.prisma),
    inRawTransaction: input.inRawTransaction ?? createSqlTransactionRunner(poolOf(input.prisma)),
  };
  const startFulfillment = startFulfillmentCommand(deps);
  const recoverStarts = recoverStartsCommand(deps);
  const create = createOrderCommand(deps);
  const completeFulfillment = completeFulfillmentCommand(deps);
  return {
    /** Creates the order, then plans it and starts its fulfillment (failures there are the reconciler's). */
    async create(quoteId: string, ctx: CommandContext) {
      const created = await create(quoteId, ctx);
      await startFulfillment(created.orderId, ctx);
      return created;
    },
    startFulfillment,
    requestCancellation: requestCancellationCommand(deps),
    beginStep: beginStepCommand(deps),
    recordOutcome: recordOutcomeCommand(deps),
    recordCallback: recordCallbackCommand(deps),
    beginCompensation: beginCompensationCommand(deps),
    recordCompensation: recordCompensationCommand(deps),
    completeFulfillment,
    finishCancellation: finishCancellationCommand(deps),
    resolveFallout: resolveFalloutCommand({ ...deps, startFulfillment }),
    /** Finishes Camunda effects an outage left behind; maps incidents to fallout cases. */
    reconcile: createOrderReconciler({ ...deps, startFulfillment, recoverStarts, completeFulfillment }),
  };
}

export type OrderService = ReturnType<typeof createOrderService>;
