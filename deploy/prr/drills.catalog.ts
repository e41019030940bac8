// The failure drills of seed section 13 and the tests that perform them on the real platform.
// `docs/prr/drills.md` is generated from this (deploy/prr/generate.ts); prr.test.ts fails when a
// named test no longer exists in its file, so the evidence cannot silently rot.

export type DrillStatus = 'automated' | 'partial' | 'not yet';
export type DrillEvidence = { file: string; test: string };
export type Drill = { area: string; drill: string; status: DrillStatus; evidence: DrillEvidence[]; note?: string };

const e = (file: string, test: string): DrillEvidence => ({ file, test });
const LIFECYCLE = 'engine/src/modules/quote/quote-lifecycle.int.test.ts';
const ORDERS = 'engine/src/modules/order/order-fulfillment.int.test.ts';
const PROJECTION = 'connectors/src/projections/quote-projection.int.test.ts';

export const DRILLS: Drill[] = [
  { area: 'Quote/pricing', drill: 'pricing service timeout during quote pricing', status: 'not yet', evidence: [],
    note: 'pricing is in-process (ADR 0009): no remote call to time out; a slow price run is bounded by statement_timeout, untested as a drill' },
  { area: 'Quote/pricing', drill: 'price book publication during active quote edit', status: 'partial',
    evidence: [e('engine/src/modules/catalog/impact.int.test.ts', 'impact preview')], note: 'revisions pin their release (ADR 0017 pins); a publish mid-edit is not driven as one test yet' },
  { area: 'Quote/pricing', drill: 'stale price detected at acceptance', status: 'automated', evidence: [e(LIFECYCLE, 'stale price: a change after pricing blocks submission')] },
  { area: 'Quote/pricing', drill: 'duplicate price command with same idempotency key', status: 'automated', evidence: [e(LIFECYCLE, 'the same command replayed with the same key has one effect')] },
  { area: 'Quote/pricing', drill: 'discount override above authority', status: 'automated', evidence: [e(LIFECYCLE, 'self-approval and approval without authority are refused')] },
  { area: 'Approval', drill: 'approver tries to approve own quote', status: 'automated', evidence: [e(LIFECYCLE, 'self-approval and approval without authority are refused')] },
  { area: 'Approval', drill: 'quote changes while approval task is open', status: 'partial',
    evidence: [e('engine/src/modules/quote/quote-submit-steps.int.test.ts', 'revise with Camunda down: the revise stands')] },
  { area: 'Approval', drill: 'task completion succeeds but domain approval command fails', status: 'automated',
    evidence: [e('engine/src/modules/quote/quote-recovery.int.test.ts', 'if completing the Camunda task fails after the decision committed')] },
  { area: 'Approval', drill: 'approval workflow incident before task creation', status: 'partial',
    evidence: [e(LIFECYCLE, 'Camunda down during submit: the command fails cleanly (503)')] },
  { area: 'Approval', drill: 'escalation timer fires after task already completed', status: 'not yet', evidence: [] },
  { area: 'Order', drill: 'duplicate create order command', status: 'automated', evidence: [e(ORDERS, 'drill: duplicate create order commands make one order')] },
  { area: 'Order', drill: 'inventory reserve timeout with unknown outcome', status: 'automated', evidence: [e(ORDERS, 'drill: the inventory reservation times out (unknown outcome)')] },
  { area: 'Order', drill: 'fulfillment callback duplicate', status: 'automated', evidence: [e(ORDERS, 'drill: a duplicate callback is recorded once as applied')] },
  { area: 'Order', drill: 'callback arrives after cancellation request', status: 'automated', evidence: [e(ORDERS, 'drill: a callback arriving after the cancellation request')] },
  { area: 'Order', drill: 'partial fulfillment success then downstream failure', status: 'automated', evidence: [e(ORDERS, 'drill: partial success, then a downstream failure')] },
  { area: 'Order', drill: 'compensation failure', status: 'automated', evidence: [e(ORDERS, 'drill: a compensation that fails becomes a fallout case')] },
  { area: 'Kafka/outbox', drill: 'outbox publisher down for 30 minutes', status: 'partial',
    evidence: [e('connectors/src/outbox-relay/outbox-relay.int.test.ts', 'events written while the relay is stopped all arrive once it starts'),
      e('connectors/src/observability/pipeline-metrics.int.test.ts', 'an outbox backlog shows in the gauge with its age')],
    note: 'minutes, not 30: backlog, age metric and drain are shown; OutboxPublishingStalled is unit-tested with promtool' },
  { area: 'Kafka/outbox', drill: 'Kafka unavailable during publishing', status: 'automated',
    evidence: [e('connectors/src/outbox-relay/outbox-relay-broker-restart.int.test.ts', 'loses nothing: events committed while the broker is down go out once it is back')] },
  { area: 'Kafka/outbox', drill: 'consumer processes duplicate event', status: 'automated',
    evidence: [e('engine/src/modules/notification/notifications.int.test.ts', 'an ApprovalRequested event delivered twice on Kafka gives one notification row'),
      e(PROJECTION, 'a duplicate and an out-of-order event change nothing')] },
  { area: 'Kafka/outbox', drill: 'consumer receives out-of-order event', status: 'automated',
    evidence: [e('connectors/src/consumer/idempotent-consumer.int.test.ts', 'events of one aggregate delivered out of order'), e(PROJECTION, 'a duplicate and an out-of-order event change nothing')] },
  { area: 'Kafka/outbox', drill: 'DLQ growth after schema mismatch', status: 'automated',
    evidence: [e('engine/src/modules/notification/notifications.int.test.ts', 'a known event with a broken payload is retried, then dead-lettered with the reason'),
      e('connectors/src/observability/pipeline-metrics.int.test.ts', 'how many messages a dead-letter topic holds')] },
  { area: 'Kafka/outbox', drill: 'replay projection from offset zero', status: 'automated',
    evidence: [e(PROJECTION, 'rebuilds from offset zero into fresh tables and swaps them in'), e(PROJECTION, 'a second rebuild after that replays to the same state again')] },
  { area: 'Redis', drill: 'Redis unavailable during catalog cache read', status: 'automated',
    evidence: [e('engine/src/modules/catalog/catalog.int.test.ts', 'with Redis down every read still succeeds from PostgreSQL'),
      e('engine/src/modules/configuration/configuration.routes.int.test.ts', 'with Redis down the result is the same')] },
  { area: 'Redis', drill: 'hot key causes latency spike', status: 'not yet', evidence: [] },
  { area: 'Redis', drill: 'eviction removes price preview cache', status: 'not yet', evidence: [] },
  { area: 'Redis', drill: 'stale key survives invalidation event', status: 'not yet', evidence: [], note: 'keys are versioned by release (immutable content), so no invalidation exists to miss; to be shown by a test' },
  { area: 'Redis', drill: 'Redis lock lost mid-operation', status: 'not yet', evidence: [], note: 'no Redis locks are used (PostgreSQL row locks only, ADR 0013)' },
  { area: 'PostgreSQL', drill: 'migration lock blocks hot table', status: 'not yet', evidence: [] },
  { area: 'PostgreSQL', drill: 'connection pool exhaustion', status: 'partial',
    evidence: [e('engine/src/observability/metrics.int.test.ts', 'shows the pool: its maximum, and connections in use')], note: '503 busy past DATABASE_POOL_WAIT_MS is ADR 0013; a drill that exhausts the pool through HTTP is to come' },
  { area: 'PostgreSQL', drill: 'long transaction causes bloat', status: 'not yet', evidence: [] },
  { area: 'PostgreSQL', drill: 'index missing on quote search', status: 'not yet', evidence: [] },
  { area: 'PostgreSQL', drill: 'backup restore validation fails', status: 'not yet', evidence: [] },
  { area: 'PostgreSQL', drill: 'read replica lag affects reporting', status: 'not yet', evidence: [], note: 'no replica; the read model (projector) plays that part: ProjectionLagging' },
  { area: 'PostgreSQL', drill: 'lock held past the lock timeout (added)', status: 'automated',
    evidence: [e('engine/src/modules/quote/quote-concurrency.int.test.ts', 'a lock held longer than the lock timeout ends in a 409')] },
  { area: 'Camunda', drill: 'external task worker down', status: 'partial',
    evidence: [e('connectors/src/observability/pipeline-metrics.int.test.ts', 'a waiting external task shows in the workers')] },
  { area: 'Camunda', drill: 'failed job retries exhausted', status: 'automated',
    evidence: [e(ORDERS, 'drill: a step whose system stays down exhausts its retries')] },
  { area: 'Camunda', drill: 'process variable contract mismatch', status: 'not yet', evidence: [] },
  { area: 'Camunda', drill: 'process definition deployment regression', status: 'automated',
    evidence: [e('engine/src/modules/catalog/modeler-models.int.test.ts', 'a model Camunda cannot run (service task without implementation) is caught by the validators')] },
  { area: 'Camunda', drill: 'running process instance on old version', status: 'not yet', evidence: [] },
  { area: 'Camunda', drill: 'operator retries wrong incident', status: 'not yet', evidence: [] },
];
