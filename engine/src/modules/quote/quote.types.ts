import type { BodyOf } from '@cpq/contracts/api-types';
import type { Prisma } from '@cpq/prisma';
import type { RawTx } from '../../lib/sql-transaction';
import type { Principal } from '../../http/auth';

export type CommandContext = {
  principal: Principal;
  correlationId: string;
  /** The command's Idempotency-Key: the causationId of the events it writes. */
  commandId: string;
  expectedVersion?: number;
  /** Stores the command's answer for its Idempotency-Key in the command's own transaction. */
  complete?: (tx: RawTx, result: unknown) => Promise<void>;
  /** The same as a statement, written within the command's last statement (`conclude`). */
  answer?: (result: unknown) => Prisma.Sql;
  /** A read on the pool; the first one claims the Idempotency-Key where the route defers the claim (command-route.ts). */
  read?: <T>(sql: Prisma.Sql) => Promise<T[]>;
};

// Command inputs are the contract's request bodies (contracts/src/generated/api.ts).
export type NewQuote = BodyOf<'createQuote'>;
export type LineInput = BodyOf<'addQuoteLine'>;
/** A line's new quantity and selections; `manualDiscount: null` removes its discount, absent keeps it. */
export type LineChange = Omit<BodyOf<'configureQuoteLine'>, 'lineId'>;
export type AcceptInput = BodyOf<'acceptQuote'>;
