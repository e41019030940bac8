'use client';

import 'dmn-js/dist/assets/dmn-js-shared.css';
import 'dmn-js/dist/assets/dmn-js-drd.css';
import 'dmn-js/dist/assets/dmn-js-decision-table.css';
import 'dmn-js/dist/assets/dmn-font/css/dmn-embedded.css';
import DmnViewer, { type DmnViewerView } from 'dmn-js/lib/Viewer';
import { useEffect, useRef, useState } from 'react';
import { dmnChanges, type Marks, type ModelChange } from './model-changes';
import { ModelChangeList, type ModelDiffProps } from './model-change-list';

/** The decision table to show: the first one whose decision changed, else the first table. */
function viewToOpen(viewer: DmnViewer, changed: Set<string>): DmnViewerView | undefined {
  const tables = viewer.getViews().filter((v) => v.type === 'decisionTable');
  return tables.find((v) => changed.has(v.element.id)) ?? tables[0];
}

/** Marks rules and entries in a rendered decision table (dmn-js renders `data-row-id` and `data-element-id` on its cells). */
function mark(container: HTMLElement, marks: Marks) {
  for (const [id, change] of marks.rows) for (const cell of container.querySelectorAll(`[data-row-id="${CSS.escape(id)}"]`)) cell.classList.add(`diff-${change}`);
  for (const [id, change] of marks.cells) container.querySelector(`[data-element-id="${CSS.escape(id)}"]`)?.classList.add(`diff-${change}`);
}

/**
 * A DMN model of the current release and of the candidate, read-only side by side (dmn-js viewer
 * on the decision table that changed), compared decision by decision: rules added or removed,
 * entries changed, inputs and outputs; marked in the tables and listed in words. Browser only.
 */
export default function DmnDiff({ before, after, beforeLabel, afterLabel }: ModelDiffProps) {
  const left = useRef<HTMLDivElement>(null);
  const right = useRef<HTMLDivElement>(null);
  const [changes, setChanges] = useState<ModelChange[]>();
  const [failure, setFailure] = useState<string>();

  useEffect(() => {
    let cancelled = false;
    const viewers = [before ? new DmnViewer({ container: left.current! }) : undefined, after ? new DmnViewer({ container: right.current! }) : undefined];
    (async () => {
      try {
        await Promise.all([before ? viewers[0]!.importXML(before) : undefined, after ? viewers[1]!.importXML(after) : undefined]);
        if (cancelled) return;
        const diff = before && after ? dmnChanges(viewers[0]!.getDefinitions(), viewers[1]!.getDefinitions()) : undefined;
        const changed = new Set((diff?.changes ?? []).map((c) => c.id));
        for (const [side, viewer] of viewers.entries()) {
          if (!viewer) continue;
          const view = viewToOpen(viewer, changed);
          if (view) await viewer.open(view);
          if (diff && !cancelled) mark((side === 0 ? left : right).current!, side === 0 ? diff.before : diff.after);
        }
        if (!cancelled) setChanges(diff?.changes ?? []);
      } catch (error) {
        if (!cancelled) setFailure((error as Error).message);
      }
    })();
    return () => {
      cancelled = true;
      for (const viewer of viewers) viewer?.destroy();
    };
  }, [before, after]);

  return <ModelChangeList kind="DMN" left={left} right={right} before={before} after={after} beforeLabel={beforeLabel} afterLabel={afterLabel} changes={changes} failure={failure} />;
}
