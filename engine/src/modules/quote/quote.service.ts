import { poolOf, type PrismaClient } from '@cpq/prisma';
import { createSqlStatementRunner, createSqlTransactionRunner, type InSqlStatement, type InSqlTransaction } from '../../lib/sql-transaction';
import { createTransactionRunner, type InTransaction } from '../../lib/transaction';
import { acceptQuoteCommand } from './commands/accept-quote.command';
import { createQuoteCommand } from './commands/create-quote.command';
import { expireDueCommand, reviseQuoteCommand, withdrawQuoteCommand } from './commands/end-revision.commands';
import { generateDocumentCommand } from './commands/generate-document.command';
import { disconnectLineCommand } from './commands/change-quote.commands';
import { addLineCommand, configureLineCommand } from './commands/line.commands';
import { priceQuoteCommand } from './commands/price-quote.command';
import { recoverWorkflowsCommand, submitForApprovalCommand } from './commands/submit-for-approval.command';
import type { QuoteDeps } from './quote.deps';
import { createPinnedReleases } from './quote.pins';
import { isoDate } from './quote.repository';

export { businessKeyOf, QUOTE_APPROVAL_PROCESS } from './quote.deps';
export { dealMetricsOf } from './quote.deal-metrics';

export type QuoteServiceDeps = Omit<QuoteDeps, 'inTransaction' | 'inRawTransaction' | 'inRawStatement' | 'today' | 'pins'> & {
  inTransaction?: InTransaction; inRawTransaction?: InSqlTransaction; inRawStatement?: InSqlStatement; today?: () => string; prisma: PrismaClient;
};

/**
 * The quote lifecycle: one handler per use case (commands/), composed here. Each takes what it
 * needs before its transaction (the pinned release), does its work on one connection under the
 * quote's row lock, and reaches Camunda only between transactions (see lib/steps.ts).
 */
export function createQuoteService(input: QuoteServiceDeps) {
  const deps: QuoteDeps = {
    ...input,
    inTransaction: input.inTransaction ?? createTransactionRunner(input.prisma),
    inRawTransaction: input.inRawTransaction ?? createSqlTransactionRunner(poolOf(input.prisma)),
    inRawStatement: input.inRawStatement ?? createSqlStatementRunner(poolOf(input.prisma)),
    today: input.today ?? (() => isoDate(new Date())),
    pins: createPinnedReleases(),
  };
  return {
    create: createQuoteCommand(deps),
    addLine: addLineCommand(deps),
    configureLine: configureLineCommand(deps),
    disconnectLine: disconnectLineCommand(deps),
    price: priceQuoteCommand(deps),
    submit: submitForApprovalCommand(deps),
    generateDocument: generateDocumentCommand(deps),
    accept: acceptQuoteCommand(deps),
    revise: reviseQuoteCommand(deps),
    withdraw: withdrawQuoteCommand(deps),
    expireDue: expireDueCommand(deps),
    /** Finishes or ends approval workflows a crash or an outage left between steps. */
    recoverWorkflows: recoverWorkflowsCommand(deps),
  };
}

export type QuoteService = ReturnType<typeof createQuoteService>;
