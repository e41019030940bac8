import { PrismaPg } from '@prisma/adapter-pg';
import { PrismaClient } from '../generated/client';

export { Prisma, PrismaClient } from '../generated/client';
export type * from '../generated/models';

/** Prisma on the node-postgres driver adapter (Prisma 7: no Rust query engine). */
export function createPrismaClient(connectionString: string, options: { max?: number } = {}): PrismaClient {
  const adapter = new PrismaPg({ connectionString, max: options.max ?? 10 });
  return new PrismaClient({ adapter });
}

/** A transaction client, as passed to `prisma.$transaction(async (tx) => ...)`. */
export type TransactionClient = Parameters<Parameters<PrismaClient['$transaction']>[0]>[0];
