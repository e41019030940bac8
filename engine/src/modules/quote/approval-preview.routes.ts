import type { OpenApiDocument } from '@cpq/contracts/openapi';
import type { PrismaClient } from '@cpq/prisma';
import type { FastifyInstance } from 'fastify';
import type { AuthSettings } from '../../http/auth';
import { contractRoutes } from '../../http/contract-routes';
import { principalOf, requireAuthentication } from '../../http/principal';
import type { ReleaseViews } from '../catalog';
import { createApprovalPreview } from './approval-preview';
import { isoDate } from './quote.repository';

export type ApprovalPreviewRoutesOptions = { contract: OpenApiDocument; auth: AuthSettings; prisma: PrismaClient; releases: ReleaseViews; today?: () => string };

/** POST /quotes/{id}/approval-preview: a read (no Idempotency-Key), registered beside the quote routes. */
export async function approvalPreviewRoutes(app: FastifyInstance, o: ApprovalPreviewRoutesOptions): Promise<void> {
  requireAuthentication(app, o.auth);
  const route = contractRoutes(app, o.contract);
  const preview = createApprovalPreview({ prisma: o.prisma, releases: o.releases, today: o.today ?? (() => isoDate(new Date())) });
  route('previewQuoteApproval', async (request) => preview(request.params.quoteId, request.body, principalOf(request)));
}
