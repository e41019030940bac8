// Public surface of the catalog module: metadata drafts, release candidates, releases.
export { createDraftService } from './draft.service';
export type { DraftService, DraftView } from './draft.service';
export { createReleaseService } from './release.service';
export type { ReleaseService, CandidateView, ImpactSource, ImpactEntry } from './release.service';
export { createReleaseStore, createCurrentReleasePointer, publishedContentOf } from './release-store';
export type { ReleaseStore, ReleaseHeader, ReleaseItem, ReleaseSnapshot, CurrentReleasePointer } from './release-store';
export { catalogRoutes } from './catalog.routes';
export { createMetadataAudit } from './metadata-audit';
export { startReleaseFeed } from './release-feed';
export { itemHash, releaseHash } from './content-hash';
export { createReleaseViews } from './release-views';
export type { ReleaseViews } from './release-views';
