import Link from 'next/link';
import type { AuditEntry } from '@/lib/api';
import { when } from '@/components/format';
import { shown } from './field-changes';
import { contentAt, labelOf } from './schema-labels';
import './review.css';

type Change = { pointer: string; from?: unknown; to?: unknown; large?: boolean };
type Details = { changes?: Change[]; more?: number; fromRelease?: number; fromVersion?: number; toVersion?: number; releaseNumber?: number; rolledFromReleaseNumber?: number; rolledFromReleaseId?: string; items?: number; removes?: number };

const isWhole = (v: unknown) => typeof v === 'object' && v !== null;

/** One changed field: by its readable name; a whole list entry added or removed by what identifies it, not as JSON. */
function ChangeLine({ change: c, schema }: { change: Change; schema: unknown }) {
  const whole = c.from === undefined ? isWhole(c.to) : c.to === undefined && isWhole(c.from);
  const name = labelOf(schema, c.pointer, whole ? contentAt(c.pointer, c.to ?? c.from) : undefined);
  if (c.large) return <>{name}: <span className="muted">a long value changed</span></>;
  if (whole) return <>{name}: <span className="muted">{c.from === undefined ? 'added' : 'removed'}</span></>;
  return <>{name}: <code>{shown(c.from, 60)}</code> → <code>{shown(c.to, 60)}</code></>;
}

/** What an audit record says was done, in words. */
function described(entry: AuditEntry): string {
  const d = entry.details as Details;
  switch (entry.action) {
    case 'metadata.draft.created': return d.fromRelease ? `drafted a change of release ${d.fromRelease}` : 'created the draft';
    case 'metadata.draft.edited': return `edited the draft (version ${d.fromVersion} → ${d.toVersion})`;
    case 'metadata.draft.deleted': return 'deleted the draft';
    case 'metadata.candidate.created': return d.rolledFromReleaseNumber
      ? `made a candidate rolling forward to release ${d.rolledFromReleaseNumber} (${d.items ?? 0} item(s) changed${d.removes ? `, ${d.removes} removed` : ''})`
      : `made the candidate (${d.items ?? 0} item(s))`;
    case 'metadata.candidate.request-review': return 'requested review';
    case 'metadata.candidate.approve': return 'approved the candidate';
    case 'metadata.candidate.reject': return 'rejected the candidate';
    case 'metadata.release.publish-started': return `started publishing release ${d.releaseNumber ?? ''}`.trim();
    case 'metadata.release.publish-undone': return 'the publish was undone';
    case 'metadata.release.published': return `published release ${d.releaseNumber ?? ''}`.trim();
    default: return entry.action;
  }
}

function Target({ entry }: { entry: AuditEntry }) {
  const { type, id } = entry.target;
  if (type === 'METADATA_DRAFT') return <Link href={`/drafts/${id}`}>{id.replace('/', ' / ')}</Link>;
  if (type === 'RELEASE_CANDIDATE') return <Link href={`/candidates/${id}`}>candidate</Link>;
  if (type === 'METADATA_RELEASE') return <Link href={`/releases/${id}`}>release {(entry.details as Details).releaseNumber ?? ''}</Link>;
  return <code>{id}</code>;
}

/**
 * Who changed what and when, newest first: one row per audit record (the engine's evidence),
 * with the fields a draft edit changed by their readable names (`schemas`: each kind's schema).
 */
export function AuditTable({ entries, schemas, caption }: { entries: AuditEntry[]; schemas: Record<string, unknown>; caption: string }) {
  if (entries.length === 0) return <p className="muted" data-testid="audit-empty">Nothing recorded yet.</p>;
  return (
    <table className="audit-table" aria-label={caption} data-testid="audit">
      <thead><tr><th scope="col">When</th><th scope="col">Who</th><th scope="col">What</th><th scope="col">On</th><th scope="col">Changed fields</th><th scope="col">Comment</th></tr></thead>
      <tbody>
        {entries.map((e, i) => {
          const d = e.details as Details;
          const kind = e.target.type === 'METADATA_DRAFT' ? e.target.id.split('/')[0]! : '';
          return (
            <tr key={`${e.at}/${i}`}>
              <td className="when"><time dateTime={e.at}>{when(e.at)}</time></td>
              <td>{e.actor.id}{e.actor.type !== 'USER' ? <span className="muted"> ({e.actor.type.toLowerCase()})</span> : null}</td>
              <td>{described(e)}</td>
              <td><Target entry={e} /></td>
              <td>
                {d.changes?.length ? (
                  <ul>
                    {d.changes.map((c) => (
                      <li key={c.pointer}><ChangeLine change={c} schema={schemas[kind]} /></li>
                    ))}
                    {d.more ? <li className="muted">and {d.more} more</li> : null}
                  </ul>
                ) : null}
              </td>
              <td>{e.reason ?? ''}</td>
            </tr>
          );
        })}
      </tbody>
    </table>
  );
}
