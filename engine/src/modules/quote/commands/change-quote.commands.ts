import { randomUUID } from 'node:crypto';
import canonicalize from 'canonicalize';
import { Prisma } from '@cpq/prisma';
import { DomainError } from '../../../http/errors';
import { accountForQuote, accountRefusal } from '../../account';
import type { ConfigurationResult } from '../../configuration';
import type { RawTx } from '../../../lib/sql-transaction';
import { assetsForQuote, assetsNow, type AssetForQuote } from '../../order';
import type { Baseline } from '../change-pricing';
import { editQuote } from '../quote.command-frame';
import type { QuoteDeps } from '../quote.deps';
import { validityDays } from '../quote.guards';
import { installedOptionsInput, sameOptions } from '../quote.line-options';
import { addDays, conclude, createStatement, currentLineOfferings, materialChange, type LineOffering, type Loaded, type QuoteRow } from '../quote.repository';
import type { CommandContext, NewQuote } from '../quote.types';
import { configureLineOn } from './line.commands';

type Basis = NonNullable<NewQuote['basis']>;
const canonical = canonicalize as unknown as (v: unknown) => string;

/**
 * A quote against the account's installed base (ADR 0022): one line per named asset, mirroring
 * it (offering, quantity, selections) and keeping it as the line's baseline with the version it
 * was read at. A change quote's lines start as no-change (the rep then modifies, disconnects or
 * adds lines); a renewal's as modify (the same configuration for a new term). The assets are read
 * through the order module's port before the quote's one statement (ADR 0013); each is checked to
 * be an active asset of the account in the quote's currency (a change also needs its term to
 * run still), and each line is configured against the release as any line is. Nothing is written
 * when one is refused.
 */
export function createFromInstalledBaseCommand({ inRawStatement, releases, today, pins, prisma }: QuoteDeps) {
  return async (input: NewQuote & { basis: Basis }, ctx: CommandContext): Promise<{ quoteId: string; version: number }> => {
    const { principal } = ctx;
    const { basis } = input;
    // The assets first: one that is not the account's is named before anything else is asked.
    const assets = await assetsForQuote(prisma, principal.tenantId, basis.assetIds);
    const day = today();
    const checked = basis.assetIds.map((assetId, i) => checkAsset(assets.find((a) => a.assetId === assetId), assetId, i, input, basis.kind, day));
    const account = await inRawStatement((db) => db.$queryRaw<{ name: string; segment: string | null; channel: string | null }[]>(accountForQuote(principal.tenantId, input.accountId)))
      .catch((error: unknown) => { throw accountRefusal(error, input.accountId) ?? error; });
    const view = await releases.get(principal.tenantId);

    const quoteRow = { termMonths: input.termMonths, segment: account[0]?.segment ?? null, channel: account[0]?.channel ?? null } as QuoteRow;
    const quoteId = randomUUID();
    const action = basis.kind === 'change' ? 'no-change' : 'modify';
    const lines = checked.map((asset, i) => {
      const others = checked.filter((_, j) => j !== i).map((a) => a.offering);
      // A bundle asset's line starts from its installed options (ADR 0022, fourth addendum); one whose options are not known, from the bundle's defaults.
      const children = installedOptionsInput(view, asset.offering, asset.options);
      const configured = configureLineOn(view, { offering: asset.offering, quantity: asset.quantity, selections: asset.selections, ...(children ? { children } : {}) }, quoteRow, others);
      const baseline: Baseline = {
        offering: asset.offering, quantity: asset.quantity, selections: asset.selections, charges: asset.charges, currency: asset.currency,
        version: asset.version, termMonths: asset.termMonths, termStart: asset.termStart, termEnd: asset.termEnd,
        ...(asset.options ? { options: asset.options } : {}),
      };
      return Prisma.sql`
        INSERT INTO quote_line (tenant_id, quote_id, revision, line_id, position, offering, quantity, selections, configuration, configuration_hash,
                                configuration_valid, release_id, action, asset_id, asset_version, baseline)
        SELECT ${principal.tenantId}, q.id, 1, ${`L${i + 1}`}, ${i + 1}, ${asset.offering}, ${asset.quantity}, ${JSON.stringify(asset.selections)}::jsonb,
               ${JSON.stringify(configured)}::json, ${configured.resultHash}, ${configured.valid}, ${view.releaseId}::uuid, ${action},
               ${asset.assetId}::uuid, ${asset.version}, ${JSON.stringify(baseline)}::jsonb
        FROM q`;
    });
    const { sql, result } = createStatement(
      { id: quoteId, accountId: input.accountId, ...(input.customerName ? { customerName: input.customerName } : {}), currency: input.currency, termMonths: input.termMonths, basis: basis.kind },
      accountForQuote(principal.tenantId, input.accountId),
      { releaseId: view.releaseId, validUntil: addDays(day, validityDays(view, input.validDays)) }, ctx,
      { accountId: input.accountId, ownerId: principal.userId, releaseId: view.releaseId, currency: input.currency, termMonths: input.termMonths, basis: basis.kind, assetIds: basis.assetIds },
      (version) => ({ quoteId, version }),
      lines,
    );
    await inRawStatement((db) => db.$executeRaw(sql)).catch((error: unknown) => {
      throw accountRefusal(error, input.accountId) ?? error;
    });
    pins.set(principal.tenantId, quoteId, view.releaseId);
    return result;
  };
}

/** One named asset, or the refusal naming it (`body/basis/assetIds/<i>`). */
function checkAsset(asset: AssetForQuote | undefined, assetId: string, i: number, input: NewQuote, kind: Basis['kind'], day: string): AssetForQuote {
  const field = `body/basis/assetIds/${i}`;
  // Another account's asset (or another tenant's, which the read never returns) is no asset of this account: the same answer.
  if (!asset || asset.accountId !== input.accountId) {
    throw new DomainError('asset-unknown', `account ${input.accountId} has no installed asset ${assetId}`, [
      { field, rule: 'asset-of-account', message: `names no installed asset of account ${input.accountId} (GET /installed-base)` },
    ]);
  }
  if (asset.state !== 'active') {
    throw new DomainError('asset-not-active', `asset ${assetId} is ${asset.state}: there is nothing to change or renew`, [
      { field, rule: 'asset-active', message: `is ${asset.state}` },
    ]);
  }
  if (asset.currency !== input.currency) {
    throw new DomainError('asset-currency', `asset ${assetId} is billed in ${asset.currency}, the quote in ${input.currency}`, [
      { field: 'body/currency', rule: 'asset-currency', message: `must be ${asset.currency}, the currency of asset ${assetId}` },
    ]);
  }
  if (kind === 'change' && asset.termEnd <= day) {
    throw new DomainError('term-ended', `the term of asset ${assetId} ended on ${asset.termEnd}: renew it instead of changing it`, [
      { field, rule: 'term-running', message: `its term ended on ${asset.termEnd}` },
    ]);
  }
  return asset;
}

/**
 * What a configured line of an asset now does (ADR 0022): modify when its quantity, normalized
 * selections or (for an asset whose options are known) its options differ from the asset's (an
 * option added or removed, its quantity or values changed; compared in canonical form,
 * `sameOptions`), no-change when they are the asset's again; a renewal's lines stay modify (the
 * term changes anyway). An asset whose options are not known (installed before they were kept)
 * compares quantity and selections only, as before. A disconnected line takes no configuration.
 * Undefined for a line that adds (no asset).
 */
export function assetLineAction(current: LineOffering, quantity: number, configured: ConfigurationResult, lineId: string, basis: QuoteRow['basis']): 'modify' | 'no-change' | undefined {
  if (!current.assetId || !current.baseline) return undefined;
  if (current.action === 'disconnect') {
    throw new DomainError('line-disconnected', `line ${lineId} disconnects asset ${current.assetId}; a disconnected line takes no configuration`, [
      { field: 'body/lineId', rule: 'line-not-disconnected', message: `disconnects asset ${current.assetId}` },
    ]);
  }
  if (basis === 'renewal') return 'modify';
  const installed = current.baseline.options;
  const same = quantity === current.baseline.quantity && canonical(configured.normalized.selections) === canonical(current.baseline.selections)
    && (!Array.isArray(installed) || sameOptions(configured.normalized.children, installed));
  return same ? 'no-change' : 'modify';
}

/** POST /quotes/{id}/commands/disconnect-line: the line's asset is to be disconnected (a material change). */
export function disconnectLineCommand(deps: QuoteDeps) {
  return async (quoteId: string, lineId: string, ctx: CommandContext): Promise<{ lineId: string; action: 'disconnect'; version: number }> => {
    return editQuote(deps, quoteId, ctx, 'configure-line', async (tx, loaded, _view, read) => {
      const line = (read as LineOffering[]).find((l) => l.lineId === lineId);
      if (!line) throw new DomainError('line-not-found', `revision ${loaded.revision.revision} has no line ${lineId}`, [{ field: 'body/lineId', rule: 'line.exists', message: `no line ${lineId} on the current revision` }]);
      if (!line.assetId) {
        throw new DomainError('line-not-asset', `line ${lineId} adds a new ${line.offering}: remove it from the quote instead`, [
          { field: 'body/lineId', rule: 'line-of-asset', message: 'names a line that adds, not a line of an installed asset' },
        ]);
      }
      if (line.action === 'disconnect') {
        throw new DomainError('line-disconnected', `line ${lineId} disconnects asset ${line.assetId} already`, [
          { field: 'body/lineId', rule: 'line-not-disconnected', message: `disconnects asset ${line.assetId} already` },
        ]);
      }
      const update = Prisma.sql`
        UPDATE quote_line SET action = 'disconnect', manual_discount = NULL
        WHERE quote_id = ${quoteId}::uuid AND revision = ${loaded.revision.revision} AND line_id = ${lineId}`;
      return conclude(tx, loaded, ctx, 'QuoteLineDisconnected', { lineId, assetId: line.assetId },
        (version) => ({ lineId, action: 'disconnect' as const, version }), { also: [update, materialChange(loaded, 'configure-line')] });
    }, currentLineOfferings(quoteId));
  };
}

/**
 * A change or renewal quote whose assets have moved on is refused when it is priced, submitted or
 * accepted (ADR 0022 addendum), not only when its order is planned: each modify or disconnect
 * line must name an asset that is still active, at the version the line was made from, and not
 * being changed by an order in flight. Read through the order module's port in the command's
 * transaction (which holds the quote's lock); a quote of new business asks nothing. `409
 * asset-stale` names each such line (`lines/<lineId>`) with the asset, the version quoted and the
 * version now; the planning check stays for what changes after acceptance.
 */
export async function refuseStaleChanges(tx: RawTx, loaded: Loaded): Promise<void> {
  if (loaded.quote.basis !== 'change' && loaded.quote.basis !== 'renewal') return;
  const lines = await tx.$queryRaw<{ lineId: string; assetId: string; assetVersion: number }[]>`
    SELECT line_id AS "lineId", asset_id::text AS "assetId", asset_version AS "assetVersion" FROM quote_line
    WHERE quote_id = ${loaded.quote.id}::uuid AND revision = ${loaded.revision.revision} AND action IN ('modify', 'disconnect') ORDER BY position`;
  if (lines.length === 0) return;
  const now = await assetsNow(tx, loaded.quote.tenantId, lines.map((l) => l.assetId));
  const refusals = lines.flatMap((line) => {
    const asset = now.find((a) => a.assetId === line.assetId);
    const at = `line ${line.lineId} changes asset ${line.assetId} at version ${line.assetVersion}`;
    const moved = !asset ? `${at}; the asset is gone`
      : asset.version !== line.assetVersion ? `${at}; the asset is at version ${asset.version} now (${asset.state}, changed by order ${asset.lastOrderId ?? 'none'})`
        : asset.state !== 'active' ? `${at}; the asset is ${asset.state}`
          : undefined;
    const message = moved ?? (asset?.changingOrderId ? `${at}; order ${asset.changingOrderId} is changing it now` : undefined);
    return message ? [{ error: { field: `lines/${line.lineId}`, rule: 'asset-version-current', message }, inFlight: moved === undefined }] : [];
  });
  const errors = refusals.map((r) => r.error);
  if (errors.length > 0) {
    throw new DomainError('asset-stale', `the installed base changed since this quote was made: ${errors.map((e) => e.message).join('; ')}. Make a new change quote from the assets as they are now`,
      // An order in flight may still be cancelled: that refusal alone is not the key's answer for good.
      errors, { transient: refusals.every((r) => r.inFlight) });
  }
}
