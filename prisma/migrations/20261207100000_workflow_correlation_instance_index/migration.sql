-- A work item is a Camunda task; the engine finds its domain intent by the task's process
-- instance (the inbox, claim, approve, reject, escalate; the order reconciler's incidents). Without
-- an index every such read scanned workflow_correlation, which grows by one row per submission and
-- per order (the approval bench: a scan per read, its cost growing with the table).
CREATE INDEX ix_workflow_process_instance ON workflow_correlation (process_instance_id);
