'use client';

import { useEffect, useRef, useState } from 'react';
import type { Problem } from '@/lib/problem';
import { createFeelView, type FeelEditorDialect, type FeelView } from './feel-codemirror';
import { positionText, sampleContext, type FeelEvaluate, type FeelEvaluation } from './feel-sample';
import './widgets.css';

type Props = {
  id: string;
  label: string;
  value: string;
  onChange(value: string): void;
  onBlur?(): void;
  evaluate: FeelEvaluate;
  dialect?: FeelEditorDialect;
  required?: boolean;
  disabled?: boolean;
  placeholder?: string;
  /** How long typing must pause before the engine is asked (ms). */
  debounceMs?: number;
};

type Check = { state: 'idle' } | { state: 'checking' } | { state: 'done'; result: FeelEvaluation } | { state: 'unavailable'; problem: Problem };

/**
 * A FEEL expression with syntax highlighting, checked by the engine as the admin types: a
 * compile error is underlined at the engine's from..to and named under the field, and the
 * expression is evaluated against sample values the admin enters for the names it reads.
 */
export function FeelEditor({ id, label, value, onChange, onBlur, evaluate, dialect = 'expression', required, disabled, placeholder, debounceMs = 300 }: Props) {
  const host = useRef<HTMLDivElement>(null);
  const view = useRef<FeelView | null>(null);
  const latest = useRef({ onChange, onBlur });
  latest.current = { onChange, onBlur };
  const [text, setText] = useState(value);
  const [samples, setSamples] = useState<Record<string, string>>({});
  const [input, setInput] = useState('');
  const [check, setCheck] = useState<Check>({ state: 'idle' });
  // The names of the last expression that compiled: while a half-typed one does not, the admin
  // keeps the sample values already entered.
  const [names, setNames] = useState<string[]>([]);
  // A rule set may hold hundreds of FEEL fields, and the engine is asked through server actions,
  // which run one at a time: an editor asks only once it has been on screen.
  const [seen, setSeen] = useState(false);
  const statusId = `${id}__feel-status`;

  useEffect(() => {
    if (!host.current) return;
    const created = createFeelView({
      parent: host.current,
      text: value,
      dialect,
      label,
      id,
      describedBy: statusId,
      placeholder,
      disabled,
      onChange: (next) => {
        setText(next);
        latest.current.onChange(next);
      },
      onBlur: () => latest.current.onBlur?.(),
    });
    view.current = created;
    return () => {
      created.destroy();
      view.current = null;
    };
    // The view is made once per field (and dialect); the other props reach it through the
    // effects below, and the callbacks through `latest`.
  }, [id, dialect]);

  // A value changed from outside (JSON tab, "take theirs", a paste into the form).
  useEffect(() => {
    if (value !== text) {
      view.current?.setText(value);
      setText(value);
    }
    // Only a new `value` matters here: `text` follows every keystroke and already equals it then.
  }, [value]);

  useEffect(() => view.current?.setDisabled(Boolean(disabled)), [disabled]);

  useEffect(() => {
    const element = host.current;
    if (seen || !element) return;
    if (typeof IntersectionObserver === 'undefined') {
      setSeen(true);
      return;
    }
    const observer = new IntersectionObserver((entries) => {
      if (entries.some((e) => e.isIntersecting)) setSeen(true);
    });
    observer.observe(element);
    return () => observer.disconnect();
  }, [seen]);

  useEffect(() => {
    if (text.trim() === '') {
      setCheck({ state: 'idle' });
      view.current?.showError(undefined);
      return;
    }
    if (!seen) return;
    let cancelled = false;
    setCheck({ state: 'checking' });
    const timer = setTimeout(() => {
      const context = sampleContext(samples, names);
      const request = { expression: text, dialect, context, ...(dialect === 'unary-tests' ? { input: sampleContext({ '?': input }, ['?'])['?'] ?? null } : {}) };
      evaluate(request).then((outcome) => {
        if (cancelled) return;
        if (!outcome.ok) {
          setCheck({ state: 'unavailable', problem: outcome.problem });
          return;
        }
        const result = outcome.data;
        setCheck({ state: 'done', result });
        if (result.error?.phase !== 'compile') setNames(result.variables);
        view.current?.showError(result.error?.phase === 'compile' ? { from: result.error.from ?? 0, to: result.error.to ?? 0, message: result.error.message } : undefined);
      }, (error: unknown) => {
        if (!cancelled) setCheck({ state: 'unavailable', problem: { title: 'The engine could not be asked', status: 0, detail: String(error) } });
      });
    }, debounceMs);
    return () => {
      cancelled = true;
      clearTimeout(timer);
    };
    // `names` changes only as a result of a check: leaving it out avoids asking twice.
  }, [text, samples, input, dialect, evaluate, debounceMs, seen]);

  const result = check.state === 'done' ? check.result : undefined;
  const compileError = result?.error?.phase === 'compile' ? result.error : undefined;

  return (
    <div className="feel-editor" data-feel-state={check.state === 'done' ? (compileError ? 'invalid' : 'valid') : check.state}>
      <div ref={host} className="feel-editor-input" />
      <p id={statusId} className={`feel-status${compileError || check.state === 'unavailable' ? ' feel-status-error' : ''}`} role="status" aria-live="polite">
        {check.state === 'idle' && text.trim() === '' ? (required ? 'Required: write a FEEL expression.' : 'Empty: no expression.') : null}
        {check.state === 'checking' ? 'Checking with the engine…' : null}
        {check.state === 'unavailable' ? `The engine could not check it: ${check.problem.title}${check.problem.detail ? ` (${check.problem.detail})` : ''}` : null}
        {compileError ? `Does not compile at ${positionText(compileError.from ?? 0, compileError.to ?? 0)}: ${compileError.message}` : null}
        {result && !compileError ? `Compiles${result.variables.length ? `; reads ${result.variables.join(', ')}` : ''}.` : null}
      </p>
      {names.length > 0 || dialect === 'unary-tests' ? (
        <fieldset className="feel-samples">
          <legend>Try it with sample values</legend>
          <div className="feel-sample-inputs">
            {dialect === 'unary-tests' ? (
              <div>
                <label htmlFor={`${id}__sample__input`}>Input (?)</label>
                <input id={`${id}__sample__input`} value={input} onChange={(e) => setInput(e.target.value)} size={14} />
              </div>
            ) : null}
            {names.map((name) => (
              <div key={name}>
                <label htmlFor={`${id}__sample_${name}`}>{name}</label>
                <input id={`${id}__sample_${name}`} value={samples[name] ?? ''} onChange={(e) => setSamples((s) => ({ ...s, [name]: e.target.value }))} size={14} placeholder="null" />
              </div>
            ))}
          </div>
          <p className="feel-result" data-testid="feel-result" aria-live="polite">
            {result?.ok ? <>Gives <code>{result.display}</code> <span className="muted">({result.type})</span></> : null}
            {result?.error?.phase === 'evaluate' ? <span className="feel-status-error">Fails with these values: {result.error.message}</span> : null}
            {!result || compileError ? <span className="muted">Values are entered as JSON or plain text (copper); empty is null.</span> : null}
          </p>
        </fieldset>
      ) : null}
    </div>
  );
}
