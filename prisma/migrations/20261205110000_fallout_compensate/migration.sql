-- The fallout action `compensate` (issue 11, item 2; ADR 0016 addendum "compensate"): an operator
-- may undo a failed step's side effect at its target system (its target may hold part of the
-- work) and run the step again from a clean state. Two step transitions join the table
-- (engine/src/modules/order/order.state.ts, the same pairs; order-guards.int.test.ts compares):
--   failed -> compensating       the operator's compensate (begin-compensation)
--   compensated -> in-progress   the step begins again with a new attempt (begin)
-- The table is reference data, immutable outside migrations: its trigger is off only inside this
-- migration's transaction, which holds the table's lock from the ALTER TABLE.
ALTER TABLE order_step_transition DISABLE TRIGGER tg_order_step_transition_immutable;
INSERT INTO order_step_transition (from_state, to_state) VALUES
  ('failed', 'compensating'),
  ('compensated', 'in-progress');
ALTER TABLE order_step_transition ENABLE TRIGGER tg_order_step_transition_immutable;
