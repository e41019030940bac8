'use client';

import type { FieldProps } from '@rjsf/utils';
import { useState } from 'react';

type Entry = { type?: string; offering?: string; charge?: string; price?: string; characteristic?: string; mode?: string; rows?: unknown[]; tiers?: unknown[] };
type Errors = { __errors?: string[] } & Record<string, unknown>;

/** Lines of offering, charge and price separated by tabs (a spreadsheet's copy) or semicolons. */
export function parsePastedPrices(text: string): { offering: string; charge: string; price: string }[] {
  return text.split(/\r?\n/).map((line) => line.split(/\t|;/).map((cell) => cell.trim()))
    .filter((cells) => cells.length >= 3 && cells[0] && !/^offering$/i.test(cells[0]))
    .map(([offering, charge, price]) => ({ offering: offering!, charge: charge!, price: price!.replace(/\s/g, '') }));
}

/**
 * A price book's entries as a grid instead of rjsf's nested forms: flat prices edited in place,
 * attribute tables and tiers summarised (edited in the JSON tab for now), and prices pasted from
 * a spreadsheet. The errors of each entry (ajv's and the engine's) show in its row.
 */
export function PriceGridField({ formData, onChange, errorSchema, fieldPathId, disabled, readonly }: FieldProps<Entry[]>) {
  const entries: Entry[] = Array.isArray(formData) ? formData : [];
  const id = fieldPathId.$id;
  const errors = (errorSchema ?? {}) as Record<string, Errors>;
  const [paste, setPaste] = useState('');
  const [note, setNote] = useState<string>();
  const locked = disabled || readonly;

  const update = (next: Entry[]) => onChange(next, fieldPathId.path);
  const setField = (i: number, field: keyof Entry, value: string) => update(entries.map((e, j) => (j === i ? { ...e, [field]: value } : e)));
  const errorsAt = (i: number, field?: string): string[] => {
    const row = errors[String(i)];
    const node = (field ? row?.[field] : row) as Errors | undefined;
    return node?.__errors ?? [];
  };
  const applyPaste = () => {
    const rows = parsePastedPrices(paste);
    let updated = 0;
    let added = 0;
    const next = [...entries];
    for (const row of rows) {
      const at = next.findIndex((e) => e.type === 'flat' && e.offering === row.offering && e.charge === row.charge);
      if (at >= 0) {
        next[at] = { ...next[at], price: row.price };
        updated += 1;
      } else {
        next.push({ type: 'flat', offering: row.offering, charge: row.charge, price: row.price });
        added += 1;
      }
    }
    update(next);
    setNote(rows.length === 0 ? 'Nothing to paste: one line per price, offering, charge and price separated by tabs or semicolons.' : `${updated} price${updated === 1 ? '' : 's'} updated, ${added} added.`);
    setPaste('');
  };
  // A function, not a component: a component defined here would remount its input on every keystroke.
  const cell = (i: number, field: 'offering' | 'charge' | 'price', label: string) => {
    const messages = errorsAt(i, field);
    return (
      <td>
        <div className={`form-group${messages.length ? ' has-error' : ''}`}>
          <input id={`${id}_${i}_${field}`} aria-label={`${label} of entry ${i + 1}`} value={entries[i]?.[field] ?? ''} disabled={locked}
            onChange={(e) => setField(i, field, e.target.value)} aria-invalid={messages.length > 0} size={field === 'price' ? 10 : 18} />
          {messages.length ? <ul className="error-detail">{messages.map((m) => <li key={m}>{m}</li>)}</ul> : null}
        </div>
      </td>
    );
  };

  return (
    <fieldset id={id} className="price-grid">
      <legend>Prices</legend>
      <table aria-label="Price entries">
        <thead><tr><th>Type</th><th>Offering</th><th>Charge</th><th>Unit price</th><th><span className="visually-hidden">Actions</span></th></tr></thead>
        <tbody>
          {entries.map((entry, i) => (
            <tr key={i}>
              <td>{entry.type}</td>
              {cell(i, 'offering', 'Offering')}
              {cell(i, 'charge', 'Charge')}
              {entry.type === 'flat' ? cell(i, 'price', 'Price') : (
                <td className="muted">
                  {entry.type === 'attribute' ? `by ${entry.characteristic ?? '?'}: ${entry.rows?.length ?? 0} rows` : `${entry.mode ?? ''} tiers: ${entry.tiers?.length ?? 0}`} (JSON tab)
                  {errorsAt(i).length ? <ul className="error-detail">{errorsAt(i).map((m) => <li key={m}>{m}</li>)}</ul> : null}
                </td>
              )}
              <td><button type="button" className="secondary" disabled={locked} onClick={() => update(entries.filter((_, j) => j !== i))} aria-label={`Remove entry ${i + 1}`}>Remove</button></td>
            </tr>
          ))}
        </tbody>
      </table>
      <div className="row" style={{ marginTop: 8 }}>
        <button type="button" className="secondary" disabled={locked} onClick={() => update([...entries, { type: 'flat', offering: '', charge: '', price: '' }])}>Add a flat price</button>
      </div>
      <div style={{ marginTop: 12 }}>
        <label htmlFor={`${id}_paste`}>Paste from a spreadsheet (offering, charge, price per line)</label>
        <textarea id={`${id}_paste`} rows={3} value={paste} onChange={(e) => setPaste(e.target.value)} disabled={locked} className="code" />
        <button type="button" className="secondary" onClick={applyPaste} disabled={locked || paste.trim() === ''}>Apply pasted prices</button>
        {note ? <p role="status" className="muted">{note}</p> : null}
      </div>
    </fieldset>
  );
}

