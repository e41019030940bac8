/**
 * The notification catalog: for each event type that notifies someone, how to read its
 * payload, and the templates it fans out to (one recipient each), every template with its
 * versions. A rendered notification records (template key, version), so a version, once
 * used, is never edited: change the wording by appending a new version.
 *
 * Rendering is plain text. Values from the payload are untrusted (a rejection reason is typed
 * by a person), so they are cleaned of control and bidi-override characters, subjects are kept
 * on one line (no header injection downstream), and nothing is HTML: a receiver that renders
 * HTML must escape, as it would for any text/plain content.
 */

export const RECIPIENT_TYPES = ['role', 'user', 'account'] as const;
export type RecipientType = (typeof RECIPIENT_TYPES)[number];
export type Recipient = { type: RecipientType; id: string };
/** A recipient the event does not name (e.g. no accountId): nothing is written for it. */
export type UnresolvedRecipient = { unresolved: string };

export const NOTIFICATION_ERROR_CODES = ['NOTIFICATION_PAYLOAD_INVALID', 'NOTIFICATION_TEMPLATE_UNKNOWN'] as const;
export type NotificationErrorCode = (typeof NOTIFICATION_ERROR_CODES)[number];

export class NotificationError extends Error {
  constructor(
    readonly code: NotificationErrorCode,
    message: string,
    readonly problems: string[] = [],
  ) {
    super(problems.length > 0 ? `${message}: ${problems.join('; ')}` : message);
    this.name = 'NotificationError';
  }
}

// ---------------------------------------------------------------------------------------------
// Payloads (event version 1), as the quote module emits them on cpq.quote.events and
// cpq.approval.events. Parsers pick the known fields (extra fields are ignored, so the
// producer may add some) and collect every problem before failing.

export type ApprovalRequestedPayload = {
  quoteId: string; revision: number; level: number; role: string; workItemId: string; dueAt: string | null;
};
export type QuoteApprovedPayload = { quoteId: string; revision: number; ownerId: string };
export type QuoteRejectedPayload = { quoteId: string; revision: number; ownerId: string; reason: string };
export type QuoteAcceptedPayload = {
  quoteId: string; revision: number; ownerId: string; acceptedBy: string; documentId: string;
  /** The quote's customer account. Optional in v1: without it the account is not notified. */
  accountId: string | null;
};

export type NotificationPayloads = {
  ApprovalRequested: ApprovalRequestedPayload;
  QuoteApproved: QuoteApprovedPayload;
  QuoteRejected: QuoteRejectedPayload;
  QuoteAccepted: QuoteAcceptedPayload;
};
export type NotifiedEventType = keyof NotificationPayloads;

type Reader = {
  id(name: string): string;
  optionalId(name: string): string | null;
  positiveInt(name: string): number;
  text(name: string, max: number): string;
  optionalDateTime(name: string): string | null;
  problems: string[];
};

// An identifier is an address, never text: no control (tab and newline included) or bidi characters.
// eslint-disable-next-line no-control-regex
const UNSAFE_IN_ID = /[\u0000-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/;
const ISO_DATE_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/;

function reader(payload: Record<string, unknown>): Reader {
  const problems: string[] = [];
  const id = (name: string, optional: boolean): string | null => {
    const value = payload[name];
    if (value === undefined || value === null) {
      if (!optional) problems.push(`/${name} is required`);
      return null;
    }
    if (typeof value !== 'string' || value.trim().length === 0 || value.length > 120 || UNSAFE_IN_ID.test(value)) {
      problems.push(`/${name} must be a non-empty string of at most 120 characters, without control characters`);
      return null;
    }
    return value;
  };
  return {
    problems,
    id: (name) => id(name, false) ?? '',
    optionalId: (name) => id(name, true),
    positiveInt(name) {
      const value = payload[name];
      if (typeof value !== 'number' || !Number.isInteger(value) || value < 1) {
        problems.push(`/${name} must be an integer >= 1`);
        return 0;
      }
      return value;
    },
    text(name, max) {
      const value = payload[name];
      if (typeof value !== 'string' || value.length > max) {
        problems.push(`/${name} must be a string of at most ${max} characters`);
        return '';
      }
      return value;
    },
    optionalDateTime(name) {
      const value = payload[name];
      if (value === undefined || value === null) return null;
      if (typeof value !== 'string' || !ISO_DATE_TIME.test(value) || Number.isNaN(Date.parse(value))) {
        problems.push(`/${name} must be an ISO 8601 date-time or null`);
        return null;
      }
      return new Date(value).toISOString();
    },
  };
}

function parsed<P>(eventType: string, read: Reader, value: P): P {
  if (read.problems.length > 0) {
    throw new NotificationError('NOTIFICATION_PAYLOAD_INVALID', `${eventType} payload is invalid`, read.problems);
  }
  return value;
}

const PAYLOAD_PARSERS: { [E in NotifiedEventType]: (payload: Record<string, unknown>) => NotificationPayloads[E] } = {
  ApprovalRequested(payload) {
    const r = reader(payload);
    return parsed('ApprovalRequested', r, {
      quoteId: r.id('quoteId'), revision: r.positiveInt('revision'), level: r.positiveInt('level'),
      role: r.id('role'), workItemId: r.id('workItemId'), dueAt: r.optionalDateTime('dueAt'),
    });
  },
  QuoteApproved(payload) {
    const r = reader(payload);
    return parsed('QuoteApproved', r, { quoteId: r.id('quoteId'), revision: r.positiveInt('revision'), ownerId: r.id('ownerId') });
  },
  QuoteRejected(payload) {
    const r = reader(payload);
    return parsed('QuoteRejected', r, {
      quoteId: r.id('quoteId'), revision: r.positiveInt('revision'), ownerId: r.id('ownerId'), reason: r.text('reason', 4000),
    });
  },
  QuoteAccepted(payload) {
    const r = reader(payload);
    return parsed('QuoteAccepted', r, {
      quoteId: r.id('quoteId'), revision: r.positiveInt('revision'), ownerId: r.id('ownerId'),
      acceptedBy: r.id('acceptedBy'), documentId: r.id('documentId'), accountId: r.optionalId('accountId'),
    });
  },
};

// ---------------------------------------------------------------------------------------------
// Plain-text hygiene.

// C0/C1 controls (tab and newline handled separately) and the bidi overrides/isolates that can
// make text read differently from what it says ("Trojan Source", CVE-2021-42574).
// eslint-disable-next-line no-control-regex
const UNSAFE = /[\u0000-\u0008\u000B-\u001F\u007F-\u009F\u202A-\u202E\u2066-\u2069]/g;

/** One line: every run of whitespace (newlines included) becomes one space. */
export function inline(value: string | number, max = 200): string {
  const text = String(value).replace(UNSAFE, '').replace(/\s+/g, ' ').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

/** Free text kept on its lines (a reason may have paragraphs), without unsafe characters. */
export function paragraph(value: string, max = 2000): string {
  const text = value.replace(/\r\n?/g, '\n').replace(/\t/g, ' ').replace(UNSAFE, '').trim();
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

// ---------------------------------------------------------------------------------------------
// The catalog.

export type Rendered = { subject: string; body: string };
export type TemplateVersion<P> = { version: number; render(payload: P): Rendered };
export type TemplateEntry<P> = {
  /** Stable key, recorded on every row (with the version): `<event>-<audience>`. */
  key: string;
  recipient(payload: P): Recipient | UnresolvedRecipient;
  /** Oldest first; the last one is used for new notifications. Never edit a used version. */
  versions: readonly TemplateVersion<P>[];
};
export type EventNotifications<P> = {
  parse(payload: Record<string, unknown>): P;
  templates: readonly TemplateEntry<P>[];
};
export type NotificationCatalog = { [E in NotifiedEventType]: EventNotifications<NotificationPayloads[E]> };

const quoteRef = (p: { quoteId: string; revision: number }) => `quote ${inline(p.quoteId)} revision ${p.revision}`;

export const NOTIFICATION_CATALOG: NotificationCatalog = {
  ApprovalRequested: {
    parse: PAYLOAD_PARSERS.ApprovalRequested,
    templates: [
      {
        key: 'approval-requested',
        recipient: (p) => ({ type: 'role', id: p.role }),
        versions: [
          {
            version: 1,
            render: (p) => ({
              subject: inline(`Approval needed: ${quoteRef(p)} (level ${p.level})`),
              body: [
                `Quote ${inline(p.quoteId)}, revision ${p.revision}, needs approval at level ${p.level} by the ${inline(p.role)} role.`,
                `Work item: ${inline(p.workItemId)}`,
                `Due: ${p.dueAt ?? 'no due date'}`,
                '',
                'Open the work item in your approval inbox to approve or reject the quote.',
              ].join('\n'),
            }),
          },
        ],
      },
    ],
  },
  QuoteApproved: {
    parse: PAYLOAD_PARSERS.QuoteApproved,
    templates: [
      {
        key: 'quote-approved',
        recipient: (p) => ({ type: 'user', id: p.ownerId }),
        versions: [
          {
            version: 1,
            render: (p) => ({
              subject: inline(`Approved: ${quoteRef(p)}`),
              body: [
                `Quote ${inline(p.quoteId)}, revision ${p.revision}, was approved.`,
                '',
                'You can now generate the quote document and send it to the customer for acceptance.',
              ].join('\n'),
            }),
          },
        ],
      },
    ],
  },
  QuoteRejected: {
    parse: PAYLOAD_PARSERS.QuoteRejected,
    templates: [
      {
        key: 'quote-rejected',
        recipient: (p) => ({ type: 'user', id: p.ownerId }),
        versions: [
          {
            version: 1,
            render: (p) => ({
              subject: inline(`Rejected: ${quoteRef(p)}`),
              body: [
                `Quote ${inline(p.quoteId)}, revision ${p.revision}, was rejected.`,
                `Reason: ${paragraph(p.reason) || '(no reason given)'}`,
                '',
                'Revise the quote to address the reason, then submit it for approval again.',
              ].join('\n'),
            }),
          },
        ],
      },
    ],
  },
  QuoteAccepted: {
    parse: PAYLOAD_PARSERS.QuoteAccepted,
    templates: [
      {
        key: 'quote-accepted-owner',
        recipient: (p) => ({ type: 'user', id: p.ownerId }),
        versions: [
          {
            version: 1,
            render: (p) => ({
              subject: inline(`Accepted: ${quoteRef(p)}`),
              body: [
                `Quote ${inline(p.quoteId)}, revision ${p.revision}, was accepted by ${inline(p.acceptedBy)}.`,
                `Accepted document: ${inline(p.documentId)}`,
              ].join('\n'),
            }),
          },
        ],
      },
      {
        key: 'quote-accepted-account',
        recipient: (p) => (p.accountId ? { type: 'account', id: p.accountId } : { unresolved: 'QuoteAccepted payload has no accountId' }),
        versions: [
          {
            version: 1,
            render: (p) => ({
              subject: inline(`Your acceptance of ${quoteRef(p)} is confirmed`),
              body: [
                `We have recorded the acceptance of quote ${inline(p.quoteId)}, revision ${p.revision}.`,
                `Accepted by: ${inline(p.acceptedBy)}`,
                `Accepted document: ${inline(p.documentId)}`,
                '',
                'Thank you. Your account team will be in touch about the order.',
              ].join('\n'),
            }),
          },
        ],
      },
    ],
  },
};

export const NOTIFIED_EVENT_TYPES = Object.keys(NOTIFICATION_CATALOG) as NotifiedEventType[];

export function isNotifiedEventType(eventType: string): eventType is NotifiedEventType {
  return Object.hasOwn(NOTIFICATION_CATALOG, eventType);
}

/** The newest version of a template: the one new notifications use. */
export function currentVersion<P>(entry: TemplateEntry<P>): TemplateVersion<P> {
  const latest = entry.versions.at(-1);
  if (!latest) throw new NotificationError('NOTIFICATION_TEMPLATE_UNKNOWN', `template ${entry.key} has no version`);
  return latest;
}

/**
 * Renders a recorded (key, version) again from an event payload, e.g. to explain what a
 * stored notification said and why. Throws for a key or version the catalog does not have.
 */
export function renderTemplate(eventType: NotifiedEventType, key: string, version: number, payload: Record<string, unknown>): Rendered {
  return renderWith(NOTIFICATION_CATALOG[eventType] as EventNotifications<unknown>, key, version, payload);
}

function renderWith(entry: EventNotifications<unknown>, key: string, version: number, payload: Record<string, unknown>): Rendered {
  const template = entry.templates.find((t) => t.key === key);
  const found = template?.versions.find((v) => v.version === version);
  if (!found) throw new NotificationError('NOTIFICATION_TEMPLATE_UNKNOWN', `no template ${key} version ${version}`);
  return found.render(entry.parse(payload));
}
