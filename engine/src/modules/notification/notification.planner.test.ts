import type { EventEnvelope } from '@cpq/contracts/event-envelope';
import { describe, expect, it } from 'vitest';
import { notificationId, planNotifications } from './notification.planner';
import { NOTIFICATION_CATALOG, NotificationError, renderTemplate, type NotifiedEventType } from './notification.templates';

const QUOTE = '8f7b2c1e-4d5a-4b6c-9e8f-0a1b2c3d4e5f';

function envelope(eventType: string, payload: Record<string, unknown>, overrides: Partial<EventEnvelope> = {}): EventEnvelope {
  return {
    eventId: '3c1d9a52-7b4e-4f10-8a2b-5d6e7f809a1b', eventType, eventVersion: 1, tenantId: 'acme',
    aggregateType: 'QUOTE', aggregateId: QUOTE, aggregateVersion: 7, occurredAt: '2026-11-27T08:00:00.000Z',
    correlationId: 'corr-1', causationId: null, actor: { type: 'USER', id: 'u-actor' }, payload, ...overrides,
  };
}

const approvalRequested = { quoteId: QUOTE, revision: 2, level: 1, role: 'sales-manager', workItemId: 'wi-42', dueAt: '2026-11-28T08:00:00Z' };
const approved = { quoteId: QUOTE, revision: 2, ownerId: 'u-rep' };
const rejected = { quoteId: QUOTE, revision: 2, ownerId: 'u-rep', reason: 'Discount above 25% needs a deal desk review.' };
const accepted = { quoteId: QUOTE, revision: 3, ownerId: 'u-rep', acceptedBy: 'c-buyer', documentId: 'doc-9', accountId: 'acct-77' };

describe('planNotifications: which notifications an event causes', () => {
  it.each([
    ['ApprovalRequested', approvalRequested, [['approval-requested', 'role', 'sales-manager']]],
    ['QuoteApproved', approved, [['quote-approved', 'user', 'u-rep']]],
    ['QuoteRejected', rejected, [['quote-rejected', 'user', 'u-rep']]],
    ['QuoteAccepted', accepted, [['quote-accepted-owner', 'user', 'u-rep'], ['quote-accepted-account', 'account', 'acct-77']]],
  ] as const)('given %s, then it notifies %j', (eventType, payload, expected) => {
    // when
    const plan = planNotifications(envelope(eventType, payload));
    // then
    expect(plan.handled).toBe(true);
    expect(plan.unresolved).toEqual([]);
    expect(plan.notifications.map((n) => [n.templateKey, n.recipientType, n.recipientId])).toEqual(expected);
    for (const n of plan.notifications) {
      expect(n).toMatchObject({
        tenantId: 'acme', eventId: envelope(eventType, payload).eventId, eventType, templateVersion: 1, channel: 'webhook',
        payload: { correlationId: 'corr-1', occurredAt: '2026-11-27T08:00:00.000Z', data: expect.objectContaining({ quoteId: QUOTE }) },
      });
      expect(n.id).toBe(notificationId(n.eventId, n.templateKey, n.recipientType, n.recipientId));
    }
  });

  it('given an event type that notifies nobody, then nothing is planned', () => {
    const plan = planNotifications(envelope('QuoteCreated', { quoteId: QUOTE }));
    expect(plan).toEqual({ eventId: plan.eventId, eventType: 'QuoteCreated', handled: false, notifications: [], unresolved: [] });
  });

  it('given an event type that merely looks like a catalog key (prototype), then nothing is planned', () => {
    expect(planNotifications(envelope('Constructor', {})).handled).toBe(false);
    expect(planNotifications(envelope('ToString', {})).handled).toBe(false);
  });

  it('given QuoteAccepted without accountId, then the owner is notified and the account is reported unresolved', () => {
    const { accountId: _omitted, ...withoutAccount } = accepted;
    const plan = planNotifications(envelope('QuoteAccepted', withoutAccount));
    expect(plan.notifications.map((n) => n.templateKey)).toEqual(['quote-accepted-owner']);
    expect(plan.unresolved).toEqual([{ templateKey: 'quote-accepted-account', reason: 'QuoteAccepted payload has no accountId' }]);
  });

  it('renders the texts from the payload', () => {
    const [request] = planNotifications(envelope('ApprovalRequested', approvalRequested)).notifications;
    expect(request!.subject).toBe(`Approval needed: quote ${QUOTE} revision 2 (level 1)`);
    expect(request!.body).toBe([
      `Quote ${QUOTE}, revision 2, needs approval at level 1 by the sales-manager role.`,
      'Work item: wi-42',
      'Due: 2026-11-28T08:00:00.000Z',
      '',
      'Open the work item in your approval inbox to approve or reject the quote.',
    ].join('\n'));
    const [rejection] = planNotifications(envelope('QuoteRejected', rejected)).notifications;
    expect(rejection!.subject).toBe(`Rejected: quote ${QUOTE} revision 2`);
    expect(rejection!.body).toContain('Reason: Discount above 25% needs a deal desk review.');
    const [, account] = planNotifications(envelope('QuoteAccepted', accepted)).notifications;
    expect(account!.subject).toBe(`Your acceptance of quote ${QUOTE} revision 3 is confirmed`);
    expect(account!.body).toContain('Accepted document: doc-9');
  });

  it('ApprovalRequested without an SLA says so', () => {
    const [n] = planNotifications(envelope('ApprovalRequested', { ...approvalRequested, dueAt: null })).notifications;
    expect(n!.body).toContain('Due: no due date');
  });

  it('keeps untrusted text plain: one-line subjects, no control or bidi characters, markup left as literal text', () => {
    const hostile = {
      ...rejected,
      ownerId: 'u-rep',
      reason: 'Too low\r\nBcc: attacker@example.com\u0000\u001b[31m <script>alert(1)</script> \u202Egnp.exe',
    };
    const [n] = planNotifications(envelope('QuoteRejected', hostile)).notifications;
    // eslint-disable-next-line no-control-regex -- the point is to look for control characters
    expect(n!.body).not.toMatch(/[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/);
    expect(n!.body).toContain('Reason: Too low\nBcc: attacker@example.com[31m <script>alert(1)</script> gnp.exe');
    expect(n!.subject).toBe(`Rejected: quote ${QUOTE} revision 2`);
    // Identifiers are addresses: one carrying a line break or a bidi override is refused, not cleaned.
    expect(() => planNotifications(envelope('ApprovalRequested', { ...approvalRequested, role: 'sales\r\nmanager' }))).toThrow(/\/role must be/);
    expect(() => planNotifications(envelope('QuoteApproved', { ...approved, ownerId: 'u-\u202Erep' }))).toThrow(/\/ownerId must be/);
  });

  it('a replay plans the same rows (same ids); another event or recipient gets another id', () => {
    const event = envelope('QuoteAccepted', accepted);
    expect(planNotifications(event)).toEqual(planNotifications(structuredClone(event)));
    const ids = planNotifications(event).notifications.map((n) => n.id);
    expect(new Set(ids).size).toBe(2);
    const other = planNotifications(envelope('QuoteAccepted', accepted, { eventId: '0d6c2f4e-1111-4a2b-9c3d-4e5f6a7b8c9d' }));
    expect(other.notifications.map((n) => n.id)).not.toEqual(ids);
    expect(ids[0]).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
  });

  it('does not mutate the event', () => {
    const event = envelope('QuoteAccepted', accepted);
    const before = structuredClone(event);
    planNotifications(event);
    expect(event).toEqual(before);
  });

  it.each([
    ['ApprovalRequested', { quoteId: QUOTE, revision: 0, level: 'one', workItemId: '', dueAt: 'tomorrow' },
      ['/revision must be an integer >= 1', '/level must be an integer >= 1', '/role is required',
        '/workItemId must be a non-empty string of at most 120 characters, without control characters', '/dueAt must be an ISO 8601 date-time or null']],
    ['QuoteApproved', { quoteId: QUOTE, revision: 1 }, ['/ownerId is required']],
    ['QuoteRejected', { quoteId: QUOTE, revision: 1, ownerId: 'u', reason: 42 }, ['/reason must be a string of at most 4000 characters']],
    ['QuoteAccepted', { quoteId: QUOTE, revision: 1, ownerId: 'u', acceptedBy: 'c', documentId: 'd', accountId: 'x'.repeat(121) },
      ['/accountId must be a non-empty string of at most 120 characters, without control characters']],
  ] as const)('given %s with a broken payload, then it throws NOTIFICATION_PAYLOAD_INVALID with every problem', (eventType, payload, problems) => {
    let error: unknown;
    try {
      planNotifications(envelope(eventType, payload as Record<string, unknown>));
    } catch (caught) {
      error = caught;
    }
    expect(error).toBeInstanceOf(NotificationError);
    expect(error).toMatchObject({ code: 'NOTIFICATION_PAYLOAD_INVALID', problems });
  });
});

describe('the template catalog', () => {
  it('has unique template keys and strictly increasing versions per template', () => {
    const keys = Object.values(NOTIFICATION_CATALOG).flatMap((e) => e.templates.map((t) => t.key));
    expect(new Set(keys).size).toBe(keys.length);
    for (const entry of Object.values(NOTIFICATION_CATALOG)) {
      for (const template of entry.templates) {
        const versions = template.versions.map((v) => v.version);
        expect(versions.length).toBeGreaterThan(0);
        expect(versions).toEqual([...versions].sort((a, b) => a - b));
        expect(new Set(versions).size).toBe(versions.length);
        expect(versions[0]).toBe(1);
      }
    }
  });

  it('re-renders a recorded (key, version) to the same text, and refuses an unknown one', () => {
    const event = envelope('QuoteRejected', rejected);
    const [n] = planNotifications(event).notifications;
    expect(renderTemplate(event.eventType as NotifiedEventType, n!.templateKey, n!.templateVersion, event.payload)).toEqual({ subject: n!.subject, body: n!.body });
    expect(() => renderTemplate('QuoteRejected', 'quote-rejected', 99, event.payload)).toThrow(/no template quote-rejected version 99/);
  });
});
