import type { FieldChange } from '@/lib/api';
import { labelOf } from './schema-labels';

/** A value as a reviewer reads it: text as is, anything else as compact JSON, cut when long. */
export function shown(value: unknown, max = 160): string {
  if (value === undefined) return '—';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max)}…` : text;
}

type Props = { changes: FieldChange[]; schema: unknown; before: unknown; after: unknown; caption: string };

/** The changed fields of an item in words: each field's readable name (from the schema), its value in the release and in the candidate. */
export function FieldChanges({ changes, schema, before, after, caption }: Props) {
  if (changes.length === 0) return null;
  return (
    <table className="field-changes" aria-label={caption}>
      <thead><tr><th scope="col">Field</th><th scope="col">Current release</th><th scope="col">Candidate</th></tr></thead>
      <tbody>
        {changes.map((c) => (
          <tr key={c.pointer}>
            <th scope="row">{labelOf(schema, c.pointer, c.to !== undefined ? after : before)} <code className="muted">{c.pointer}</code></th>
            <td className="before">{shown(c.from)}</td>
            <td className="after">{shown(c.to)}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
