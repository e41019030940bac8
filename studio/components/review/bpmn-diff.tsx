'use client';

import 'bpmn-js/dist/assets/diagram-js.css';
import 'bpmn-js/dist/assets/bpmn-js.css';
import 'bpmn-js/dist/assets/bpmn-font/css/bpmn-embedded.css';
import NavigatedViewer from 'bpmn-js/lib/NavigatedViewer';
import { diff } from 'bpmn-js-differ';
import { useEffect, useRef, useState } from 'react';
import { bpmnChanges, type ModelChange } from './model-changes';
import { ModelChangeList, type ModelDiffProps } from './model-change-list';

type Canvas = { zoom(level: 'fit-viewport'): void; addMarker(id: string, marker: string): void };
type Registry = { get(id: string): unknown };

/** The marker each side shows: the release's side what went away or changed, the candidate's what came or changed. */
const MARK = { before: { removed: 'diff-removed', changed: 'diff-changed' }, after: { added: 'diff-added', changed: 'diff-changed', layout: 'diff-layout' } } as const;

/**
 * A BPMN model of the current release and of the candidate, read-only side by side (bpmn-js
 * NavigatedViewer: pan and zoom), compared by bpmn-js-differ: added, changed, removed and moved
 * elements marked on the diagrams and listed in words under them. Browser only (`ssr: false`).
 */
export default function BpmnDiff({ before, after, beforeLabel, afterLabel }: ModelDiffProps) {
  const left = useRef<HTMLDivElement>(null);
  const right = useRef<HTMLDivElement>(null);
  const [changes, setChanges] = useState<ModelChange[]>();
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    let cancelled = false;
    const viewers = [before ? new NavigatedViewer({ container: left.current! }) : undefined, after ? new NavigatedViewer({ container: right.current! }) : undefined];
    (async () => {
      try {
        await Promise.all([before ? viewers[0]!.importXML(before) : undefined, after ? viewers[1]!.importXML(after) : undefined]);
        if (cancelled) return;
        const list = before && after ? bpmnChanges(diff(viewers[0]!.getDefinitions(), viewers[1]!.getDefinitions())) : [];
        viewers.forEach((viewer, side) => {
          if (!viewer) return;
          const canvas = viewer.get<Canvas>('canvas');
          const registry = viewer.get<Registry>('elementRegistry');
          const marks: Partial<Record<ModelChange['change'], string>> = side === 0 ? MARK.before : MARK.after;
          for (const c of list) if (marks[c.change] && registry.get(c.id)) canvas.addMarker(c.id, marks[c.change]!);
          canvas.zoom('fit-viewport');
        });
        setChanges(list);
      } catch (error) {
        // A model that does not import is shown as such; its XML is in the forms above.
        if (!cancelled) setFailure((error as Error).message);
      }
    })();
    return () => {
      cancelled = true;
      for (const viewer of viewers) viewer?.destroy();
    };
  }, [before, after]);

  return <ModelChangeList kind="BPMN" left={left} right={right} before={before} after={after} beforeLabel={beforeLabel} afterLabel={afterLabel} changes={changes} failure={failure} />;
}
