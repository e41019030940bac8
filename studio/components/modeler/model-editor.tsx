'use client';

import './modeler.css';
import dynamic from 'next/dynamic';
import { useCallback, useRef, useState, type ChangeEvent } from 'react';
import type { JsonObject } from '@/lib/api';
import type { ModelerHandle } from './modeler-handle';
import { readModelFile, type ModelKind } from './model-file';
import type { ModelIssue } from './model-issues';
import { ModelIssuesList } from './model-issues-list';
import { starterModel, xmlIdOf } from './model-templates';
import type { WorkerTopic } from './topic-options';

// bpmn-js and dmn-js need the DOM: loaded in the browser only, each in its own chunk.
const BpmnCanvas = dynamic(() => import('./bpmn-canvas'), { ssr: false, loading: () => <p role="status" className="cpq-loading">Loading the BPMN modeler…</p> });
const DmnCanvas = dynamic(() => import('./dmn-canvas'), { ssr: false, loading: () => <p role="status" className="cpq-loading">Loading the DMN modeler…</p> });

export type ModelEditorProps = {
  kind: ModelKind;
  itemKey: string;
  content: JsonObject;
  topics: readonly WorkerTopic[];
  /** Why the engine's worker topics are missing (the topic field still takes text). */
  topicsProblem?: string;
  issues: readonly ModelIssue[];
  issuesFrom?: { candidateId: string; title: string };
  pending: boolean;
  saveLabel: string;
  /** The content changed here (an edit on the canvas, a file imported, a new diagram). */
  onContent(next: JsonObject): void;
  onSave(next: JsonObject): void;
  /** A new draft without a key: the imported file's name as one. */
  onKeySuggestion?(key: string): void;
};

const FILE = { 'bpmn-model': { ext: '.bpmn', accept: '.bpmn,.xml', what: 'BPMN' }, 'dmn-model': { ext: '.dmn', accept: '.dmn,.xml', what: 'DMN' } } as const;
const text = (value: unknown) => (typeof value === 'string' ? value : '');

/**
 * The Modeler tab of a BPMN or DMN draft: the diagram (bpmn-js with the Camunda 7 properties
 * panel, or dmn-js), a file from Camunda Desktop Modeler imported as is, the model downloaded,
 * the engine's issues on their elements, and saving through the draft editor's own save.
 */
export function ModelEditor(props: ModelEditorProps) {
  const { kind, content, onContent } = props;
  const handle = useRef<ModelerHandle | undefined>(undefined);
  const [ready, setReady] = useState<ModelerHandle>();
  const [importProblem, setImportProblem] = useState<string>();
  const [imports, setImports] = useState(0);
  const [versionNotice, setVersionNotice] = useState<string>();
  const [notice, setNotice] = useState<string>();
  const [fileProblem, setFileProblem] = useState<string>();
  const xml = text(content.xml);
  const modelKey = kind === 'bpmn-model' ? 'processKey' : 'decisionKey';
  const file = FILE[kind];

  // The latest content, for the canvas's asynchronous callbacks.
  const latest = useRef(content);
  latest.current = content;
  const onCanvasChange = useCallback((next: string) => {
    if (next !== text(latest.current.xml)) onContent({ ...latest.current, xml: next });
  }, [onContent]);
  const onCanvasReady = useCallback((h: ModelerHandle) => {
    handle.current = h;
    setReady(h);
  }, []);
  const onImported = useCallback((problem: string | undefined) => {
    setImportProblem(problem);
    setImports((n) => n + 1);
  }, []);

  const importFile = async (event: ChangeEvent<HTMLInputElement>) => {
    const chosen = event.target.files?.[0];
    event.target.value = '';
    if (!chosen) return;
    const read = readModelFile(kind, await chosen.text(), chosen.name);
    if (!read.ok) {
      setFileProblem(read.message);
      return;
    }
    setFileProblem(undefined);
    const fileKey = kind === 'bpmn-model' ? read.processKey : read.decisionKey;
    const next: JsonObject = { ...content, xml: read.xml };
    if (fileKey) next[modelKey] = fileKey;
    // The item needs a name: the model's, else the file's (Desktop Modeler leaves processes unnamed).
    if (!text(content.name)) next.name = read.name ?? chosen.name.replace(/\.(bpmn|dmn|xml)$/i, '');
    onContent(next);
    if (read.key) props.onKeySuggestion?.(read.key);
    const changedKey = fileKey && fileKey !== text(content[modelKey]) && text(content[modelKey]) ? ` The ${modelKey} is now "${fileKey}", the file's.` : '';
    setNotice(`Imported ${chosen.name} as it is (${read.xml.length} characters): saving keeps it byte for byte unless you edit the diagram.${changedKey}`);
  };

  const download = async () => {
    const exported = (await handle.current?.exportXml()) ?? xml;
    const url = URL.createObjectURL(new Blob([exported], { type: 'application/xml' }));
    const link = document.createElement('a');
    link.href = url;
    link.download = `${props.itemKey || 'model'}${file.ext}`;
    link.click();
    setTimeout(() => URL.revokeObjectURL(url), 10_000);
  };

  const save = async () => {
    const exported = await handle.current?.exportXml();
    props.onSave(exported === undefined ? content : { ...content, xml: exported });
  };

  const startEmpty = () => {
    const id = xmlIdOf(text(content[modelKey]) || props.itemKey, kind === 'bpmn-model' ? 'process' : 'decision');
    onContent({ ...content, [modelKey]: id, name: text(content.name) || props.itemKey || id, xml: starterModel(kind, id, text(content.name) || props.itemKey) });
  };

  const canvas = { xml, issues: props.issues, onChange: onCanvasChange, onReady: onCanvasReady, onImported };
  return (
    <div className="cpq-model-editor">
      <div className="row cpq-model-toolbar">
        <div>
          <label htmlFor="model-file">Import a {file.what} file (e.g. from Camunda Desktop Modeler)</label>
          <input id="model-file" type="file" accept={file.accept} onChange={(e) => void importFile(e)} />
        </div>
        <button type="button" className="secondary" onClick={() => void download()} disabled={!xml}>Download {file.ext}</button>
        <button type="button" onClick={() => void save()} disabled={props.pending || !xml}>{props.pending ? 'Saving…' : props.saveLabel}</button>
      </div>
      <p className="muted" data-testid="model-keys">
        {kind === 'bpmn-model' ? 'Process' : 'Decision'} key <code>{text(content[modelKey]) || '(none)'}</code>, name “{text(content.name)}” (both in the Form tab).
        {kind === 'bpmn-model' && props.topics.length > 0 ? ` External tasks offer the ${props.topics.length} topics of the worker catalog.` : ''}
      </p>
      {props.topicsProblem ? <p className="conflict" role="status">The worker catalog could not be read ({props.topicsProblem}): type an external task’s topic by hand.</p> : null}
      {fileProblem ? <p role="alert" className="problem">{fileProblem}</p> : null}
      {notice ? <p role="status" className="notice">{notice}</p> : null}
      {versionNotice ? <p role="status" className="conflict">{versionNotice}</p> : null}
      {importProblem ? <p role="alert" className="problem">{importProblem} Fix the XML in the JSON tab, or import a file.</p> : null}
      <ModelIssuesList issues={props.issues} from={props.issuesFrom} handle={ready} imports={imports} />
      {!xml ? (
        <div className="panel">
          <p>No diagram yet. Import a {file.what} file above, or start from an empty one.</p>
          <button type="button" onClick={startEmpty}>Start an empty {file.what} diagram</button>
        </div>
      ) : kind === 'bpmn-model' ? (
        <BpmnCanvas {...canvas} topics={props.topics} />
      ) : (
        <DmnCanvas {...canvas} decisionKey={text(content.decisionKey)} onVersionNotice={setVersionNotice} />
      )}
    </div>
  );
}
