'use client';

import 'dmn-js/dist/assets/diagram-js.css';
import 'dmn-js/dist/assets/dmn-js-shared.css';
import 'dmn-js/dist/assets/dmn-js-drd.css';
import 'dmn-js/dist/assets/dmn-js-decision-table.css';
import 'dmn-js/dist/assets/dmn-js-decision-table-controls.css';
import 'dmn-js/dist/assets/dmn-js-literal-expression.css';
import 'dmn-js/dist/assets/dmn-js-boxed-expression.css';
import 'dmn-js/dist/assets/dmn-js-boxed-expression-controls.css';
import 'dmn-js/dist/assets/dmn-font/css/dmn-embedded.css';
import { migrateDiagram } from '@bpmn-io/dmn-migrate';
import DmnModeler, { type DmnView } from 'dmn-js/lib/Modeler';
import { useEffect, useRef, useState } from 'react';
import type { CanvasProps } from './modeler-handle';
import { cssString, dmnIssueCss, idsWithin } from './model-issues';
import { olderDmnVersion } from './model-file';

type Viewer = { get<T = unknown>(name: string): T; on(event: string, callback: () => void): void };
type CommandStack = { canUndo(): boolean };

const VIEW_LABEL: Record<string, string> = { drd: 'Requirements diagram', decisionTable: 'decision table', literalExpression: 'literal expression', boxedExpression: 'boxed expression' };
const viewLabel = (view: DmnView) => (view.type === 'drd' ? VIEW_LABEL.drd! : `${view.element.name || view.element.id} (${VIEW_LABEL[view.type] ?? view.type})`);

/**
 * dmn-js with its decision table editor, opened on the item's decision (`decisionKey`), with
 * its other views (requirements diagram, other decisions) one click away. DMN 1.1 and 1.2
 * (which Camunda 7 runs; dmn-js opens 1.3 only) are shown migrated to 1.3; the draft keeps the
 * file's bytes until the admin edits. Browser only, like the BPMN canvas.
 */
export default function DmnCanvas({ xml, issues, onChange, onReady, onImported, decisionKey, onVersionNotice }: CanvasProps & { decisionKey?: string; onVersionNotice(message: string | undefined): void }) {
  const containerRef = useRef<HTMLDivElement>(null);
  const modelerRef = useRef<DmnModeler | undefined>(undefined);
  const shown = useRef<string | undefined>(undefined);
  const imported = useRef<string | undefined>(undefined);
  /** Every viewer opened since the import (dmn-js keeps a command stack per view). */
  const viewers = useRef(new Set<Viewer>());
  const callbacks = useRef({ onChange, onReady, onImported, onVersionNotice });
  callbacks.current = { onChange, onReady, onImported, onVersionNotice };
  const [views, setViews] = useState<DmnView[]>([]);
  const [active, setActive] = useState<DmnView>();

  useEffect(() => {
    // Every edit of a cell is a command at once: a Save right after typing saves it all.
    const modeler = new DmnModeler({ container: containerRef.current!, common: { debounceInput: false } });
    modelerRef.current = modeler;
    const dirty = () => [...viewers.current].some((v) => v.get<CommandStack>('commandStack').canUndo());
    const changed = () => {
      if (!dirty()) {
        shown.current = imported.current;
        if (imported.current !== undefined) callbacks.current.onChange(imported.current);
        return;
      }
      void modeler.saveXML({ format: true }).then(({ xml: exported }) => {
        if (modelerRef.current !== modeler) return;
        shown.current = exported;
        callbacks.current.onChange(exported);
      });
    };
    modeler.on('views.changed', ({ views: all = [], activeView }) => {
      setViews(all);
      setActive(activeView);
      const viewer = modeler.getActiveViewer() as Viewer | undefined;
      if (viewer && !viewers.current.has(viewer)) {
        viewers.current.add(viewer);
        viewer.on('commandStack.changed', changed);
      }
    });
    const viewOf = (id: string) => modeler.getViews().find((v) => v.type !== 'drd' && (v.element.id === id || idsWithin(v.element).has(id)));
    callbacks.current.onReady({
      exportXml: async () => (dirty() ? (await modeler.saveXML({ format: true })).xml : undefined),
      has: (id) => viewOf(id) !== undefined,
      reveal: (id) => {
        const view = viewOf(id);
        if (!view) return false;
        void modeler.open(view).then(() => {
          const cell = containerRef.current?.querySelector<HTMLElement>(`[data-element-id=${cssString(id)}], th[data-col-id=${cssString(id)}]`);
          cell?.scrollIntoView({ block: 'center', inline: 'center' });
          cell?.focus();
        });
        return true;
      },
    });
    return () => {
      modeler.destroy();
      modelerRef.current = undefined;
      shown.current = undefined;
      viewers.current.clear();
    };
  }, []);

  useEffect(() => {
    const modeler = modelerRef.current;
    if (!modeler || xml === shown.current) return;
    let cancelled = false;
    shown.current = xml;
    imported.current = xml;
    viewers.current.clear();
    const older = olderDmnVersion(xml);
    (older ? migrateDiagram(xml) : Promise.resolve(xml))
      .then((dmn13) => modeler.importXML(dmn13))
      .then(async () => {
        if (cancelled) return;
        const own = modeler.getViews().find((v) => v.type !== 'drd' && v.element.id === decisionKey);
        if (own && modeler.getActiveView()?.element.id !== own.element.id) await modeler.open(own);
        callbacks.current.onImported(undefined);
        callbacks.current.onVersionNotice(older ? `DMN ${older}: shown as DMN 1.3 (the version dmn-js edits). Saved unchanged unless you edit it; an edit saves DMN 1.3, which Camunda 7 runs too.` : undefined);
      })
      .catch((error: Error) => {
        if (!cancelled) callbacks.current.onImported(`The modeler cannot show this XML: ${error.message}`);
      });
    return () => {
      cancelled = true;
    };
    // decisionKey only chooses the first view of an import.
  }, [xml]);

  return (
    <div className="cpq-dmn" data-testid="dmn-modeler">
      {views.length > 1 ? (
        <div className="cpq-dmn-views" role="toolbar" aria-label="Views of the DMN model">
          {views.map((view) => (
            <button
              key={`${view.type}/${view.element.id}`}
              type="button"
              className={active?.element.id === view.element.id && active.type === view.type ? '' : 'secondary'}
              aria-pressed={active?.element.id === view.element.id && active.type === view.type}
              onClick={() => void modelerRef.current?.open(view)}
            >
              {viewLabel(view)}
            </button>
          ))}
        </div>
      ) : null}
      <style>{dmnIssueCss('.cpq-dmn', issues)}</style>
      <div className="cpq-dmn-canvas" ref={containerRef} />
    </div>
  );
}
