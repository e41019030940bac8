'use client';

/**
 * Small pieces shared by the custom rjsf fields of this folder. They keep rjsf's conventions so
 * that ajv's messages and the engine's (mapped by lib/error-schema.ts) land in them as in a
 * generated form: ids `<field id>_<index>_<name>`, `.form-group.has-error` and
 * `ul.error-detail` under the control at fault.
 */
type ErrorNode = { __errors?: string[] } & { [key: string]: unknown };

/** The messages at a path of rjsf's errorSchema (`errorsAt(schema, 0, 'range', 'step')`). */
export function errorsAt(schema: unknown, ...path: (string | number)[]): string[] {
  let node = schema as ErrorNode | undefined;
  for (const part of path) node = node?.[String(part)] as ErrorNode | undefined;
  return node?.__errors ?? [];
}

/** Every message at a path and below it (a row that is wrong as a whole or in a cell not shown). */
export function errorsUnder(schema: unknown, ...path: (string | number)[]): string[] {
  let node = schema as ErrorNode | undefined;
  for (const part of path) node = node?.[String(part)] as ErrorNode | undefined;
  const out: string[] = [];
  const walk = (n: ErrorNode | undefined) => {
    if (!n || typeof n !== 'object') return;
    out.push(...(n.__errors ?? []));
    for (const [key, child] of Object.entries(n)) if (key !== '__errors') walk(child as ErrorNode);
  };
  walk(node);
  return out;
}

export function ErrorDetail({ messages }: { messages: readonly string[] }) {
  return messages.length ? <ul className="error-detail">{messages.map((m) => <li key={m}>{m}</li>)}</ul> : null;
}

/** A number as the admin types it: a number when it reads as one, the text otherwise (ajv names it), absent when empty. */
export function numberOf(text: string): number | string | undefined {
  if (text.trim() === '') return undefined;
  const n = Number(text);
  return Number.isFinite(n) ? n : text;
}

type InputProps = {
  id: string;
  label: string;
  value: string | number | undefined;
  onChange(text: string): void;
  messages?: readonly string[];
  disabled?: boolean;
  numeric?: boolean;
  size?: number;
  placeholder?: string;
  /** Visible label instead of a hidden one (aria-label). */
  showLabel?: boolean;
};

/** One input with its errors under it; rendered by a function call so it keeps focus across renders. */
export function input({ id, label, value, onChange, messages = [], disabled, numeric, size, placeholder, showLabel }: InputProps) {
  return (
    <div className={`form-group${messages.length ? ' has-error' : ''}`}>
      {showLabel ? <label htmlFor={id}>{label}</label> : null}
      <input
        id={id}
        {...(showLabel ? {} : { 'aria-label': label })}
        value={value ?? ''}
        onChange={(e) => onChange(e.target.value)}
        disabled={disabled}
        inputMode={numeric ? 'decimal' : undefined}
        aria-invalid={messages.length > 0}
        size={size}
        placeholder={placeholder}
      />
      <ErrorDetail messages={messages} />
    </div>
  );
}

/** Moves an element of a list (up: -1, down: +1); the same list when it cannot move. */
export function move<T>(list: readonly T[], index: number, by: -1 | 1): T[] {
  const to = index + by;
  if (to < 0 || to >= list.length) return [...list];
  const next = [...list];
  [next[index], next[to]] = [next[to]!, next[index]!];
  return next;
}

/** Drops the keys whose value is undefined (an emptied optional field is absent, not null). */
export function compact<T extends Record<string, unknown>>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}
