'use client';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import '@bpmn-io/properties-panel/dist/assets/properties-panel.css';
import BpmnModeler from 'bpmn-js/lib/Modeler';
import { BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, CamundaPlatformPropertiesProviderModule } from 'bpmn-js-properties-panel';
import CamundaBehaviorsModule from 'camunda-bpmn-js-behaviors/lib/camunda-platform';
import camundaModdle from 'camunda-bpmn-moddle/resources/camunda.json';
import { useEffect, useRef, useState } from 'react';
import type { CanvasProps } from './modeler-handle';
import { elementsAtFault } from './model-issues';
import { TopicCatalogModule } from './topic-catalog.provider';
import type { WorkerTopic } from './topic-options';

type Shape = { id: string; waypoints?: unknown };
type Canvas = { zoom(level: 'fit-viewport'): void; addMarker(id: string, marker: string): void; removeMarker(id: string, marker: string): void; scrollToElement(element: Shape): void; getRootElement(): Shape };
type Overlays = { add(id: string, type: string, overlay: { position: Record<string, number>; html: HTMLElement }): void; remove(filter: { type: string }): void };
type Registry = { get(id: string): Shape | undefined };
type Selection = { select(element: Shape): void };
type CommandStack = { canUndo(): boolean };

const MARKERS = ['cpq-issue-error', 'cpq-issue-warning'];

/**
 * bpmn-js with the Camunda 7 properties panel (camunda-bpmn-moddle, its behaviours) and the
 * worker catalog's topics for external tasks. Loaded in the browser only (model-editor.tsx:
 * `dynamic(..., { ssr: false })`): bpmn-js needs the DOM.
 */
export default function BpmnCanvas({ xml, issues, onChange, onReady, onImported, topics }: CanvasProps & { topics: readonly WorkerTopic[] }) {
  const canvasRef = useRef<HTMLDivElement>(null);
  const panelRef = useRef<HTMLDivElement>(null);
  const modelerRef = useRef<BpmnModeler | undefined>(undefined);
  /** The XML on the canvas (imported, or the canvas's own export after an edit). */
  const shown = useRef<string | undefined>(undefined);
  /** The XML last imported: what the draft keeps while every change is undone. */
  const imported = useRef<string | undefined>(undefined);
  const marked = useRef<string[]>([]);
  const callbacks = useRef({ onChange, onReady, onImported });
  callbacks.current = { onChange, onReady, onImported };
  const [imports, setImports] = useState(0);

  // One modeler per mount (StrictMode mounts twice in development: destroy on cleanup).
  useEffect(() => {
    const modeler = new BpmnModeler({
      container: canvasRef.current!,
      propertiesPanel: { parent: panelRef.current! },
      additionalModules: [BpmnPropertiesPanelModule, BpmnPropertiesProviderModule, CamundaPlatformPropertiesProviderModule, CamundaBehaviorsModule, TopicCatalogModule],
      moddleExtensions: { camunda: camundaModdle },
      workerTopics: topics,
      // Every edit of a panel field is a command at once: a Save right after typing saves it all.
      debounceInput: false,
    });
    modelerRef.current = modeler;
    const dirty = () => modeler.get<CommandStack>('commandStack').canUndo();
    modeler.on('commandStack.changed', () => {
      if (!dirty()) {
        shown.current = imported.current;
        if (imported.current !== undefined) callbacks.current.onChange(imported.current);
        return;
      }
      void modeler.saveXML({ format: true }).then(({ xml: exported }) => {
        if (exported === undefined || modelerRef.current !== modeler) return;
        shown.current = exported;
        callbacks.current.onChange(exported);
      });
    });
    const registry = () => modeler.get<Registry>('elementRegistry');
    callbacks.current.onReady({
      exportXml: async () => (dirty() ? (await modeler.saveXML({ format: true })).xml : undefined),
      has: (id) => registry().get(id) !== undefined,
      reveal: (id) => {
        const element = registry().get(id);
        if (!element) return false;
        const canvas = modeler.get<Canvas>('canvas');
        if (element !== canvas.getRootElement()) {
          canvas.scrollToElement(element);
          modeler.get<Selection>('selection').select(element);
        }
        return true;
      },
    });
    return () => {
      modeler.destroy();
      modelerRef.current = undefined;
      shown.current = undefined;
    };
    // The topics are the modeler's configuration, read once (the page passes the engine's list).
  }, []);

  // Import what is not the canvas's own export (first show, a file imported, theirs taken).
  useEffect(() => {
    const modeler = modelerRef.current;
    if (!modeler || xml === shown.current) return;
    let cancelled = false;
    shown.current = xml;
    imported.current = xml;
    modeler.importXML(xml).then(
      () => {
        if (cancelled) return;
        modeler.get<Canvas>('canvas').zoom('fit-viewport');
        callbacks.current.onImported(undefined);
        setImports((n) => n + 1);
      },
      (error: Error) => {
        if (!cancelled) callbacks.current.onImported(`The modeler cannot show this XML: ${error.message}`);
      },
    );
    return () => {
      cancelled = true;
    };
  }, [xml]);

  // The engine's issues on their elements: a marker (red or amber outline) and a badge with the messages.
  useEffect(() => {
    const modeler = modelerRef.current;
    if (!modeler || imports === 0) return;
    const canvas = modeler.get<Canvas>('canvas');
    const overlays = modeler.get<Overlays>('overlays');
    const registry = modeler.get<Registry>('elementRegistry');
    overlays.remove({ type: 'cpq-issue' });
    for (const id of marked.current) for (const marker of MARKERS) if (registry.get(id)) canvas.removeMarker(id, marker);
    marked.current = [];
    for (const [id, { severity, messages }] of elementsAtFault(issues)) {
      const element = registry.get(id);
      if (!element || element === canvas.getRootElement()) continue;
      canvas.addMarker(id, `cpq-issue-${severity}`);
      marked.current.push(id);
      const badge = document.createElement('div');
      badge.className = `cpq-issue-badge ${severity}`;
      badge.textContent = severity === 'error' ? '!' : 'i';
      badge.title = messages.join('\n');
      badge.setAttribute('data-issue-element', id);
      overlays.add(id, 'cpq-issue', { position: element.waypoints ? { top: -12, left: -12 } : { top: -10, right: 10 }, html: badge });
    }
  }, [issues, imports]);

  return (
    <div className="cpq-modeler" data-testid="bpmn-modeler">
      <div className="cpq-canvas" ref={canvasRef} role="application" aria-label="BPMN diagram" />
      <div className="cpq-properties" ref={panelRef} aria-label="Properties of the selected element" role="region" />
    </div>
  );
}
