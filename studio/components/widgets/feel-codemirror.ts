import { feel } from '@bpmn-io/lang-feel';
import { defaultKeymap, history, historyKeymap } from '@codemirror/commands';
import { HighlightStyle, syntaxHighlighting } from '@codemirror/language';
import { setDiagnostics } from '@codemirror/lint';
import { Compartment, EditorState } from '@codemirror/state';
import { EditorView, keymap, placeholder as placeholderText } from '@codemirror/view';
import { tags } from '@lezer/highlight';

/**
 * CodeMirror 6 set up for one FEEL field: bpmn-io's FEEL grammar (the Lezer grammar feelin,
 * hence the engine, parses with) for highlighting only. Errors come from the engine, never from
 * a linter in the browser: `showError` places the engine's from..to in the text. Tab is left to
 * the browser, so keyboard users move through the form as with any other field.
 */
export type FeelEditorDialect = 'expression' | 'unary-tests';

export type FeelView = {
  view: EditorView;
  setText(text: string): void;
  showError(error: { from: number; to: number; message: string } | undefined): void;
  setDisabled(disabled: boolean): void;
  destroy(): void;
};

// Colours with at least 4.5:1 contrast on white (WCAG AA), checked by axe in the e2e run.
const highlight = HighlightStyle.define([
  { tag: [tags.keyword, tags.operatorKeyword, tags.controlKeyword, tags.definitionKeyword], color: '#6f1f9c', fontWeight: '600' },
  { tag: [tags.string, tags.special(tags.string)], color: '#a0320f' },
  { tag: [tags.number, tags.bool, tags.null], color: '#0f6b3a' },
  { tag: [tags.function(tags.variableName), tags.special(tags.variableName)], color: '#1f4fa0' },
  { tag: [tags.variableName, tags.name, tags.propertyName], color: '#1d2433' },
  { tag: [tags.comment], color: '#5b6478', fontStyle: 'italic' },
  { tag: [tags.compareOperator, tags.arithmeticOperator, tags.logicOperator, tags.punctuation, tags.bracket], color: '#3d4557' },
]);

const theme = EditorView.theme({
  '&': { border: '1px solid #aab2c0', borderRadius: '4px', background: '#fff', fontSize: '13px' },
  '&.cm-focused': { outline: '3px solid #f0a500', outlineOffset: '2px' },
  '.cm-content': { fontFamily: "ui-monospace, 'SFMono-Regular', Menlo, Consolas, monospace", padding: '6px 0', minHeight: '1.6em' },
  '.cm-line': { padding: '0 8px' },
  '.cm-placeholder': { color: '#5b6478' },
  '&.cm-disabled': { background: '#f1f3f6' },
});

export function createFeelView(options: {
  parent: HTMLElement;
  text: string;
  dialect: FeelEditorDialect;
  label: string;
  id: string;
  describedBy: string;
  placeholder?: string;
  disabled?: boolean;
  onChange(text: string): void;
  onBlur?(): void;
}): FeelView {
  const editable = new Compartment();
  const attributes = new Compartment();
  let invalid = false;
  const contentAttributes = () =>
    EditorView.contentAttributes.of({
      id: options.id,
      'aria-label': options.label,
      'aria-describedby': options.describedBy,
      'aria-invalid': String(invalid),
      spellcheck: 'false',
    });
  const editableOf = (disabled: boolean) => [EditorView.editable.of(!disabled), EditorState.readOnly.of(disabled), EditorView.editorAttributes.of({ class: disabled ? 'cm-disabled' : '' })];
  const view = new EditorView({
    parent: options.parent,
    state: EditorState.create({
      doc: options.text,
      extensions: [
        history(),
        keymap.of([...defaultKeymap, ...historyKeymap]),
        feel({ dialect: options.dialect === 'unary-tests' ? 'unaryTests' : 'expression' }),
        syntaxHighlighting(highlight),
        EditorView.lineWrapping,
        theme,
        placeholderText(options.placeholder ?? ''),
        attributes.of(contentAttributes()),
        editable.of(editableOf(Boolean(options.disabled))),
        EditorView.updateListener.of((update) => {
          if (update.docChanged) options.onChange(update.state.doc.toString());
          if (update.focusChanged && !update.view.hasFocus) options.onBlur?.();
        }),
      ],
    }),
  });
  return {
    view,
    setText(text) {
      const current = view.state.doc.toString();
      if (text !== current) view.dispatch({ changes: { from: 0, to: current.length, insert: text } });
    },
    showError(error) {
      const length = view.state.doc.length;
      invalid = error !== undefined;
      const diagnostics = error
        ? [{ from: Math.min(error.from, length), to: Math.min(Math.max(error.to, error.from), length), severity: 'error' as const, message: error.message, source: 'engine' }]
        : [];
      view.dispatch(setDiagnostics(view.state, diagnostics));
      view.dispatch({ effects: attributes.reconfigure(contentAttributes()) });
    },
    setDisabled(disabled) {
      view.dispatch({ effects: editable.reconfigure(editableOf(disabled)) });
    },
    destroy() {
      view.destroy();
    },
  };
}
