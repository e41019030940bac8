-- The worklist follows ApprovalEscalated (ADR 0020 addendum): an approval level offered to another
-- role as well (its SLA passed, or an approver raised it) shows under that role too, with when.
-- The projector fills the columns from the event; a rebuild's `worklist_item_next` is created
-- LIKE this table INCLUDING ALL at run time, so it has them (and the index and checks) as well.
ALTER TABLE worklist_item
  ADD COLUMN escalated_to varchar(60),
  ADD COLUMN escalated_at timestamptz(6);

-- An escalation can be applied before its level's ApprovalRequested (the engine writes the next
-- level's request after the decision's commit; an escalation may come first): it is kept as an
-- item not opened yet (no opened_at, no due time), which readers skip and the request opens.
ALTER TABLE worklist_item
  ALTER COLUMN opened_at DROP NOT NULL,
  ALTER COLUMN due_at DROP NOT NULL;

-- The reducer's shape: opened with both times, escalated with both fields, and an item not
-- opened yet is an escalated approval.
ALTER TABLE worklist_item
  ADD CONSTRAINT ck_worklist_item_opened CHECK (
    (opened_at IS NULL) = (due_at IS NULL)
    AND (opened_at IS NOT NULL OR (kind = 'approval' AND escalated_to IS NOT NULL))),
  ADD CONSTRAINT ck_worklist_item_escalated CHECK ((escalated_to IS NULL) = (escalated_at IS NULL));

-- A role's worklist also holds what was escalated to it.
CREATE INDEX ix_worklist_item_escalated_due ON worklist_item (tenant_id, escalated_to, due_at) WHERE escalated_to IS NOT NULL;
