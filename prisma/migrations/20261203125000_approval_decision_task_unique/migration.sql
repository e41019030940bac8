-- One decision per Camunda task: two approvals racing on one work item (a double click with
-- fresh keys) could otherwise decide two levels with the first level's task.
CREATE UNIQUE INDEX uq_approval_decision_task ON approval_decision (camunda_task_id) WHERE camunda_task_id IS NOT NULL;
