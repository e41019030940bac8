import { validateItemShape, type MetadataKind } from '@cpq/metadata';
import { Prisma, type PrismaClient, type TransactionClient } from '@cpq/prisma';
import type { Principal } from '../../http/auth';
import { DomainError } from '../../http/errors';
import { recordAudit } from '../audit';
import { auditedChanges } from './audit-changes';

export type DraftView = {
  kind: string; key: string; content: unknown; version: number; authors: string[];
  createdBy: string; updatedBy: string; createdAt: string; updatedAt: string;
};
export type CommandContext = {
  principal: Principal;
  correlationId: string;
  /** The command's Idempotency-Key (or request id): the causationId of the events it writes. */
  commandId: string;
  /** Stores the command's answer for its Idempotency-Key in the command's own transaction. */
  complete?: (tx: TransactionClient, result: unknown) => Promise<void>;
};

type DraftRow = {
  kind: string; key: string; content: unknown; version: number; authors: string[];
  createdBy: string; updatedBy: string; createdAt: Date; updatedAt: Date;
};
const view = (r: DraftRow): DraftView => ({
  kind: r.kind, key: r.key, content: r.content, version: r.version, authors: r.authors,
  createdBy: r.createdBy, updatedBy: r.updatedBy, createdAt: r.createdAt.toISOString(), updatedAt: r.updatedAt.toISOString(),
});

/** Schema-level checks of untrusted studio input, before anything is written: 422 listing every issue. */
function assertShape(kind: MetadataKind, key: string, content: unknown): void {
  const issues = validateItemShape({ kind, key, content });
  if (issues.length > 0) {
    throw new DomainError('metadata-invalid', `${issues.length} problem(s) in ${kind}/${key}`, issues.map((i) => ({
      field: `body/content${i.pointer}`, rule: i.code, message: i.message,
    })));
  }
}

const actorOf = (p: Principal) => ({ type: 'USER' as const, id: p.userId });

/** The item as the tenant's current release has it (what a new draft of a published item changes), if any. */
export type PublishedContent = (tenantId: string, kind: string, key: string) => Promise<{ releaseNumber: number; content: unknown } | undefined>;

/**
 * Drafts: freely edited by admins, guarded by optimistic concurrency (the version read must
 * be sent back; a stale edit is a 409), every change audited. Drafts take effect only through
 * a reviewed release.
 */
export function createDraftService(prisma: PrismaClient, published?: PublishedContent) {
  async function load(tenantId: string, kind: string, key: string) {
    const row = await prisma.metadataDraft.findUnique({ where: { tenantId_kind_key: { tenantId, kind, key } } });
    if (!row) throw new DomainError('draft-not-found', `no draft ${kind}/${key}`);
    return row;
  }

  return {
    async list(tenantId: string, kind?: string): Promise<DraftView[]> {
      const rows = await prisma.metadataDraft.findMany({ where: { tenantId, ...(kind ? { kind } : {}) }, orderBy: [{ kind: 'asc' }, { key: 'asc' }] });
      return rows.map(view);
    },

    get: async (tenantId: string, kind: string, key: string) => view(await load(tenantId, kind, key)),

    async create(input: { kind: MetadataKind; key: string; content: unknown }, ctx: CommandContext): Promise<DraftView> {
      assertShape(input.kind, input.key, input.content);
      const { principal } = ctx;
      // A draft of a published item records what it changes from the release (the audit's "what").
      const released = await published?.(principal.tenantId, input.kind, input.key);
      try {
        return await prisma.$transaction(async (tx) => {
          const row = await tx.metadataDraft.create({
            data: {
              tenantId: principal.tenantId, kind: input.kind, key: input.key, content: input.content as object,
              authors: [principal.userId], createdBy: principal.userId, updatedBy: principal.userId,
            },
          });
          await recordAudit(tx, {
            tenantId: principal.tenantId, actor: actorOf(principal), action: 'metadata.draft.created',
            target: { type: 'METADATA_DRAFT', id: `${input.kind}/${input.key}` }, correlationId: ctx.correlationId,
            details: { version: 1, ...(released ? { fromRelease: released.releaseNumber, ...auditedChanges(released.content, input.content) } : {}) },
          });
          const result = view(row);
          await ctx.complete?.(tx, result);
          return result;
        });
      } catch (error) {
        if (error instanceof Prisma.PrismaClientKnownRequestError && error.code === 'P2002') {
          throw new DomainError('draft-already-exists', `draft ${input.kind}/${input.key} already exists; edit it instead`, [
            { field: 'body/key', rule: 'unique', message: 'is already taken for this kind' },
          ]);
        }
        throw error;
      }
    },

    async edit(kind: MetadataKind, key: string, expectedVersion: number, content: unknown, ctx: CommandContext): Promise<DraftView> {
      assertShape(kind, key, content);
      const { principal } = ctx;
      return prisma.$transaction(async (tx) => {
        const current = await tx.metadataDraft.findUnique({ where: { tenantId_kind_key: { tenantId: principal.tenantId, kind, key } } });
        if (!current) throw new DomainError('draft-not-found', `no draft ${kind}/${key}`);
        const authors = current.authors.includes(principal.userId) ? current.authors : [...current.authors, principal.userId];
        // The version check and the write are one statement: two concurrent edits cannot both win.
        const updated = await tx.metadataDraft.updateMany({
          where: { tenantId: principal.tenantId, kind, key, version: expectedVersion },
          data: { content: content as object, version: { increment: 1 }, authors, updatedBy: principal.userId, updatedAt: new Date() },
        });
        if (updated.count === 0) {
          throw new DomainError('version-conflict', `draft ${kind}/${key} is at version ${current.version}, not ${expectedVersion}; read it again`);
        }
        await recordAudit(tx, {
          tenantId: principal.tenantId, actor: actorOf(principal), action: 'metadata.draft.edited',
          target: { type: 'METADATA_DRAFT', id: `${kind}/${key}` }, correlationId: ctx.correlationId,
          details: { fromVersion: expectedVersion, toVersion: expectedVersion + 1, ...auditedChanges(current.content, content) },
        });
        const result = view(await tx.metadataDraft.findUniqueOrThrow({ where: { tenantId_kind_key: { tenantId: principal.tenantId, kind, key } } }));
        await ctx.complete?.(tx, result);
        return result;
      });
    },

    async remove(kind: string, key: string, expectedVersion: number, ctx: CommandContext): Promise<void> {
      const { principal } = ctx;
      await prisma.$transaction(async (tx) => {
        const deleted = await tx.metadataDraft.deleteMany({ where: { tenantId: principal.tenantId, kind, key, version: expectedVersion } });
        if (deleted.count === 0) {
          const current = await tx.metadataDraft.findUnique({ where: { tenantId_kind_key: { tenantId: principal.tenantId, kind, key } } });
          if (!current) throw new DomainError('draft-not-found', `no draft ${kind}/${key}`);
          throw new DomainError('version-conflict', `draft ${kind}/${key} is at version ${current.version}, not ${expectedVersion}; read it again`);
        }
        await recordAudit(tx, {
          tenantId: principal.tenantId, actor: actorOf(principal), action: 'metadata.draft.deleted',
          target: { type: 'METADATA_DRAFT', id: `${kind}/${key}` }, correlationId: ctx.correlationId, details: { version: expectedVersion },
        });
        await ctx.complete?.(tx, null);
      });
    },
  };
}

export type DraftService = ReturnType<typeof createDraftService>;
