'use client';

import Form from '@rjsf/core';
import type { ErrorSchema, RegistryFieldsType, RJSFSchema, UiSchema } from '@rjsf/utils';
import { customizeValidator } from '@rjsf/validator-ajv8';
import { Ajv2020 } from 'ajv/dist/2020.js';
import Link from 'next/link';
import { useRouter } from 'next/navigation';
import { useMemo, useState, useTransition } from 'react';
import { createDraftAction, deleteDraftAction, editDraftAction, type SaveOutcome } from '@/app/actions/draft.actions';
import type { Draft, JsonObject, MetadataKind } from '@/lib/api';
import { errorSchemaOf } from '@/lib/error-schema';
import type { Problem } from '@/lib/problem';
import { ProblemView } from './problem-view';
import { VariantSelectWidget } from './variant-select.widget';
import { PriceGridField } from './price-grid.field';
import { customFields, customWidgets } from './widgets/custom-registry';
import { customUiSchema, formStateBehavior } from './widgets/ui-schema';
import { when } from './format';
import { ModelEditor, type ModelEditorProps } from './modeler/model-editor';
import { readableErrors, readableMessage } from './form-messages';
import { labelOf, withTitles } from './review/schema-labels';
import { shown } from './review/field-changes';
import { jsonChanges } from './json-changes';

// The kinds' schemas are JSON Schema 2020-12, as the engine compiles them (metadata/src/registry.ts).
const validator = customizeValidator({ AjvClass: Ajv2020 as never, ajvOptionsOverrides: { discriminator: true } });

/** Kinds whose content is mostly a model document: edited in a modeler (bpmn-js, dmn-js), the XML as text as a fallback. */
const XML_KINDS = new Set(['bpmn-model', 'dmn-model']);
const widgets = { SelectWidget: VariantSelectWidget, ...customWidgets };
/** Custom editors where a generated form is poor (most of them chosen in ./widgets/ui-schema.ts). */
const fields: RegistryFieldsType = { priceGrid: PriceGridField, ...customFields };
const uiSchemaOf = (kind: string): UiSchema => ({
  'ui:submitButtonOptions': { norender: true },
  ...(XML_KINDS.has(kind) ? { xml: { 'ui:widget': 'textarea', 'ui:options': { rows: 18 } } } : {}),
  ...(kind === 'price-book' ? { entries: { 'ui:field': 'priceGrid' } } : {}),
  ...customUiSchema(kind),
});

type Props = {
  mode: 'create' | 'edit';
  kind: MetadataKind;
  kindTitle: string;
  schema: RJSFSchema;
  initialKey: string;
  initialContent: JsonObject;
  draft?: Draft;
  /** A problem to show on opening (a candidate's issue linked to this item and field). */
  initialProblem?: Problem;
  /** A notice to show on opening (the save that led here from a new draft's page). */
  initialNotice?: string;
  /** Set when the item is published and has no draft yet: saving starts one under this key. */
  publishedIn?: number;
  /** BPMN and DMN: the worker catalog's topics and the candidate's issues on this model. */
  model?: Pick<ModelEditorProps, 'topics' | 'topicsProblem' | 'issues' | 'issuesFrom'>;
};

type Tab = 'model' | 'form' | 'json';

/** JSON with every object's keys in order, so theirs and yours line up whatever order each was stored in. */
const sortedJson = (value: unknown): string => JSON.stringify(value, (_key, v: unknown) => (
  v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).sort(([a], [b]) => a.localeCompare(b))) : v
), 2);

/**
 * One draft in a form generated from its kind's schema (served by the engine), with the raw JSON
 * as a fallback. Saves through the engine's commands; a version conflict shows theirs next to
 * yours and lets the admin keep either.
 */
export function DraftEditor({ mode, kind, kindTitle, schema, initialKey, initialContent, draft, initialProblem, initialNotice, publishedIn, model }: Props) {
  const router = useRouter();
  const [content, setContent] = useState<JsonObject>(initialContent);
  const [key, setKey] = useState(initialKey);
  const [saved, setSaved] = useState<Draft | undefined>(draft);
  const [tab, setTab] = useState<Tab>(XML_KINDS.has(kind) ? 'model' : 'form');
  const [jsonText, setJsonText] = useState(() => JSON.stringify(initialContent, null, 2));
  const [jsonError, setJsonError] = useState<string>();
  const [problem, setProblem] = useState<Problem | undefined>(initialProblem);
  const [theirs, setTheirs] = useState<Draft>();
  const [notice, setNotice] = useState<string | undefined>(initialNotice);
  const [confirmDelete, setConfirmDelete] = useState(false);
  const [pending, startTransition] = useTransition();
  const extraErrors = useMemo<ErrorSchema | undefined>(() => (problem?.errors?.length ? errorSchemaOf(problem.errors.map((e) => ({ ...e, message: readableMessage(e.message) }))) : undefined), [problem]);
  // Labels by the schema's titles or the properties' names in words ("Valid from", not "validFrom"), as the review shows them.
  const titled = useMemo(() => withTitles(schema), [schema]);
  const disagreements = useMemo(() => (theirs ? jsonChanges(theirs.content, content) : []), [theirs, content]);
  const uiSchema = useMemo(() => uiSchemaOf(kind), [kind]);

  const save = (next: JsonObject, overVersion?: number) => {
    setProblem(undefined);
    setNotice(undefined);
    startTransition(async () => {
      const outcome: SaveOutcome = mode === 'create' && !saved
        ? await createDraftAction(kind, key, next)
        : await editDraftAction(kind, saved?.key ?? key, overVersion ?? saved?.version ?? 0, next);
      if (!outcome.ok) {
        setProblem(outcome.problem);
        setTheirs(outcome.theirs);
        return;
      }
      setTheirs(undefined);
      setSaved(outcome.draft);
      setContent(outcome.draft.content);
      setJsonText(JSON.stringify(outcome.draft.content, null, 2));
      setNotice(`Saved version ${outcome.draft.version}.`);
      // Back to the draft's own address (a candidate's issue in the query is no longer current).
      // Coming from another page (a new draft), this editor unmounts: the query carries the notice over.
      const target = `/drafts/${kind}/${outcome.draft.key}`;
      if (window.location.pathname !== target) router.replace(`${target}?saved=${outcome.draft.version}`);
      else if (window.location.search !== '') router.replace(target);
      else router.refresh();
    });
  };

  const saveJson = () => {
    let parsed: unknown;
    try {
      parsed = JSON.parse(jsonText);
    } catch (error) {
      setJsonError(`Not valid JSON: ${(error as Error).message}`);
      return;
    }
    if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) {
      setJsonError('The content must be a JSON object.');
      return;
    }
    const { errors } = validator.validateFormData(parsed, schema);
    if (errors.length > 0) {
      setJsonError(errors.map((e) => `${e.property ?? ''} ${readableMessage(e.message ?? '')}`.trim()).join('\n'));
      return;
    }
    setJsonError(undefined);
    setContent(parsed as JsonObject);
    save(parsed as JsonObject);
  };

  const switchTab = (next: Tab) => {
    if (next === 'json') setJsonText(JSON.stringify(content, null, 2));
    setTab(next);
  };

  const remove = () => {
    if (!saved) return;
    startTransition(async () => {
      // On success the action goes to the workspace itself; it answers only with a refusal.
      const outcome = await deleteDraftAction(kind, saved.key, saved.version);
      setProblem(outcome.problem);
    });
  };

  return (
    <section aria-label={`${kindTitle} ${key}`}>
      <div className="page-head">
        <h1>{mode === 'create' && !saved && publishedIn === undefined ? `New ${kindTitle}` : `${kindTitle}: ${saved?.key ?? key}`}</h1>
        {publishedIn !== undefined && !saved ? <Link className="button secondary" href={`/drafts/new?kind=${kind}&from=${key}`}>Duplicate</Link> : null}
        {saved ? (
          <div className="row">
            <Link className="button secondary" href={`/drafts/new?kind=${kind}&from=${saved.key}`}>Duplicate</Link>
            {confirmDelete ? (
              <>
                <button type="button" className="danger" onClick={remove} disabled={pending}>Confirm delete</button>
                <button type="button" className="secondary" onClick={() => setConfirmDelete(false)}>Keep it</button>
              </>
            ) : (
              <button type="button" className="danger" onClick={() => setConfirmDelete(true)}>Delete draft</button>
            )}
          </div>
        ) : null}
      </div>
      {saved ? <p className="muted" data-testid="draft-version">Version {saved.version}, last saved by {saved.updatedBy} {when(saved.updatedAt)}; authors {saved.authors.join(', ')}.</p> : null}
      {publishedIn !== undefined && !saved ? <p className="muted" data-testid="draft-version">As published in release {publishedIn}; no draft yet. Saving starts a draft; it takes effect once a reviewed candidate is published.</p> : null}
      {mode === 'create' && !saved && publishedIn === undefined ? (
        <div className="panel">
          <label htmlFor="draft-key">Key</label>
          <input id="draft-key" value={key} onChange={(e) => setKey(e.target.value)} aria-describedby="draft-key-help" required />
          <p id="draft-key-help" className="muted">kebab-case, 1 to 64 characters; it names the item in every release.</p>
        </div>
      ) : null}
      {notice ? <p role="status" className="notice">{notice}</p> : null}
      {problem && !theirs ? <ProblemView problem={problem} /> : null}
      {theirs ? (
        <div className="conflict" role="region" aria-label="Version conflict">
          <strong>Someone else saved: {theirs.updatedBy} saved version {theirs.version} at {when(theirs.updatedAt)} after you opened this draft.</strong>
          <p>Your changes are kept below. Compare, then keep yours (saved over their version) or take theirs.</p>
          {disagreements.length > 0 ? (
            <table aria-label="Where theirs and yours differ">
              <thead><tr><th scope="col">Field</th><th scope="col">Theirs (version {theirs.version})</th><th scope="col">Yours</th></tr></thead>
              <tbody>
                {disagreements.map((d) => (
                  <tr key={d.pointer}><th scope="row">{labelOf(schema, d.pointer, content)}</th><td><code>{shown(d.theirs)}</code></td><td><code>{shown(d.yours)}</code></td></tr>
                ))}
              </tbody>
            </table>
          ) : <p>Theirs and yours hold the same content.</p>}
          <details style={{ marginTop: 10 }}>
            <summary>Both as JSON</summary>
            <div className="side-by-side">
              <div><h2>Theirs (version {theirs.version})</h2><pre data-testid="theirs">{sortedJson(theirs.content)}</pre></div>
              <div><h2>Yours</h2><pre data-testid="yours">{sortedJson(content)}</pre></div>
            </div>
          </details>
          <div className="row" style={{ marginTop: 10 }}>
            <button type="button" onClick={() => save(content, theirs.version)} disabled={pending}>Keep mine</button>
            <button type="button" className="secondary" onClick={() => { setSaved(theirs); setContent(theirs.content); setJsonText(JSON.stringify(theirs.content, null, 2)); setTheirs(undefined); setProblem(undefined); }}>Take theirs</button>
          </div>
        </div>
      ) : null}
      <div className="tabs" role="tablist" aria-label="Editor">
        {XML_KINDS.has(kind) ? <button type="button" role="tab" aria-selected={tab === 'model'} onClick={() => switchTab('model')}>Modeler</button> : null}
        <button type="button" role="tab" aria-selected={tab === 'form'} onClick={() => switchTab('form')}>Form</button>
        <button type="button" role="tab" aria-selected={tab === 'json'} onClick={() => switchTab('json')}>JSON</button>
      </div>
      {tab === 'model' ? (
        <ModelEditor
          kind={kind as ModelEditorProps['kind']}
          itemKey={saved?.key ?? key}
          content={content}
          topics={model?.topics ?? []}
          topicsProblem={model?.topicsProblem}
          issues={model?.issues ?? []}
          issuesFrom={model?.issuesFrom}
          pending={pending}
          saveLabel={mode === 'create' && !saved && publishedIn === undefined ? 'Create draft' : 'Save draft'}
          onContent={setContent}
          onSave={save}
          onKeySuggestion={mode === 'create' && !saved ? (k) => setKey((current) => current || k) : undefined}
        />
      ) : tab === 'form' ? (
        <div className="panel rjsf">
          <Form
            schema={titled}
            uiSchema={uiSchema}
            formData={content}
            validator={validator}
            widgets={widgets}
            fields={fields}
            extraErrors={extraErrors}
            transformErrors={readableErrors}
            noHtml5Validate
            showErrorList={false}
            experimental_defaultFormStateBehavior={formStateBehavior}
            focusOnFirstError
            onChange={(e) => setContent(e.formData as JsonObject)}
            onSubmit={(e) => save(e.formData as JsonObject)}
            onError={(errors) => { setNotice(undefined); setProblem({ title: `Not saved: ${errors.length} field${errors.length === 1 ? '' : 's'} to fix (marked in red)`, status: 0 }); }}
            idPrefix="root"
          >
            <button type="submit" disabled={pending}>{pending ? 'Saving…' : mode === 'create' && !saved && publishedIn === undefined ? 'Create draft' : 'Save draft'}</button>
          </Form>
        </div>
      ) : (
        <div className="panel">
          <label htmlFor="json-content">Content as JSON{XML_KINDS.has(kind) ? ' (the model XML is the "xml" field)' : ''}</label>
          <textarea id="json-content" className="code" rows={24} value={jsonText} onChange={(e) => setJsonText(e.target.value)} spellCheck={false} />
          {jsonError ? <pre role="alert" className="problem">{jsonError}</pre> : null}
          <button type="button" onClick={saveJson} disabled={pending}>{pending ? 'Saving…' : mode === 'create' && !saved && publishedIn === undefined ? 'Create draft' : 'Save draft'}</button>
        </div>
      )}
    </section>
  );
}
