/**
 * Minimal types for the review's packages that ship none (bpmn-js has its own): only what
 * studio/components/review uses, checked against their dist files.
 */
declare module 'bpmn-js-differ' {
  type Element = { $type: string; id: string; name?: string; [property: string]: unknown };
  export type BpmnChanges = {
    _added: Record<string, Element>;
    _removed: Record<string, Element>;
    _layoutChanged: Record<string, Element>;
    _changed: Record<string, { model: Element; attrs: Record<string, { oldValue: unknown; newValue: unknown }> }>;
  };
  /** Semantic differences between two bpmn-moddle definitions. */
  export function diff(before: unknown, after: unknown): BpmnChanges;
}

declare module 'dmn-js/lib/Viewer' {
  export type DmnViewerView = { type: string; element: { id: string; name?: string; $type: string } };
  export default class DmnViewer {
    constructor(options: { container?: HTMLElement; [view: string]: unknown });
    importXML(xml: string): Promise<{ warnings: unknown[] }>;
    getViews(): DmnViewerView[];
    getActiveView(): DmnViewerView | undefined;
    getDefinitions(): unknown;
    open(view: DmnViewerView): Promise<unknown>;
    destroy(): void;
  }
}
