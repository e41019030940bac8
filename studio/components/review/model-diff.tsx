'use client';

import dynamic from 'next/dynamic';
import type { ModelDiffProps } from './model-change-list';

const loading = () => <p className="muted" role="status">Loading the diagrams…</p>;
// bpmn-js and dmn-js need the DOM: loaded in the browser only (a `'use client'` file may say so).
const BpmnDiff = dynamic(() => import('./bpmn-diff'), { ssr: false, loading });
const DmnDiff = dynamic(() => import('./dmn-diff'), { ssr: false, loading });

/** A BPMN or DMN model's two versions as diagrams side by side, changes marked. */
export function ModelDiff({ kind, ...props }: ModelDiffProps & { kind: 'bpmn-model' | 'dmn-model' }) {
  return kind === 'bpmn-model' ? <BpmnDiff {...props} /> : <DmnDiff {...props} />;
}
