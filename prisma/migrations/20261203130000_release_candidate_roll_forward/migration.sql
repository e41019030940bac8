-- Roll forward (POST /metadata/releases/{id}/roll-forward): a candidate whose release has an
-- older release's content exactly, removals included, so its release is that release's items
-- rather than its base overlaid by its items. The column names that release; NULL for a
-- candidate made from drafts. A new nullable column: nothing to backfill.
ALTER TABLE release_candidate
  ADD COLUMN rolled_from_release_id uuid REFERENCES metadata_release(id);
